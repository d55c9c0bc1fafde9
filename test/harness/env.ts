// Nothing a test file does may reach a real Facebook: the default Graph URL is a closed loopback port.
process.env.GRAPH_API_URL ??= 'http://127.0.0.1:9';
