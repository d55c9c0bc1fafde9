/**
 * Hash routes (`#/pages/123/segments`): the service serves one index.html at
 * /console, and a reload or a shared link lands on the same screen.
 */
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string {
  return decodeURI(location.hash.replace(/^#/, '')) || '/';
}

export function navigate(path: string): void {
  location.hash = path;
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const follow = () => setPath(currentPath());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return path;
}

/** The named parts of `pattern` (`/pages/:pageId`) in `path`, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const [pathOnly] = path.split('?');
  const got = pathOnly.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = got[i];
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** `#/path` for a link's href. */
export const href = (path: string): string => `#${path}`;
