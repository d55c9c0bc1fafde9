/**
 * The run's outcomes over time, drawn as inline SVG from the stats answers the
 * dashboard polls (the API keeps no time series): only what this screen saw,
 * plus the run's start, when nothing had been sent yet.
 */
import { useId } from 'preact/hooks';
import { TableScroll } from '../ui/components';
import type { OutcomeCounts } from '../types';
import { formatClock, formatNumber, formatTime } from '../ui/time';

export interface Sample extends OutcomeCounts {
  at: number;
  /** The run's start, not seen by this screen: every count was 0 then. */
  assumed?: boolean;
}

type SeriesKey = keyof OutcomeCounts;

const SERIES: { key: SeriesKey; label: string; colour: string; dash?: string }[] = [
  { key: 'sent', label: 'Sent', colour: '#146c2e' },
  { key: 'delivered', label: 'Delivered', colour: '#0a58ca', dash: '6 3' },
  { key: 'read', label: 'Read', colour: '#0e7490', dash: '2 3' },
  { key: 'failed', label: 'Failed', colour: '#b42318' },
  { key: 'skipped', label: 'Skipped', colour: '#8a4b00' },
  { key: 'unknown', label: 'Unknown', colour: '#6b21a8' },
];

const WIDTH = 600;
const HEIGHT = 200;
/** A gap between two polls longer than this was not watched: drawn faded. */
const UNWATCHED_MS = 60_000;

/** Keeps at most `max` samples, thinning the older half first. */
export function addSample(samples: Sample[], next: Sample, max = 400): Sample[] {
  const last = samples.at(-1);
  if (last && last.at >= next.at) return samples;
  const all = [...samples, next];
  if (all.length <= max) return all;
  const half = Math.floor(all.length / 2);
  return [...all.slice(0, half).filter((_, i) => i % 2 === 0), ...all.slice(half)];
}

export function OutcomeChart(props: { samples: Sample[]; timeZone?: string }) {
  const titleId = useId();
  const descId = useId();
  const { samples } = props;
  if (samples.filter((s) => !s.assumed).length === 0 || samples.length < 2)
    return (
      <p class="hint run-chart__empty">
        The chart draws itself from the counts above while this screen is open and the run is
        sending. This run had already ended when the screen opened; its final counts are above.
      </p>
    );
  const shown = SERIES.filter(
    (series) =>
      !['delivered', 'read'].includes(series.key) || samples.some((s) => s[series.key] > 0),
  );
  const first = samples[0];
  const last = samples.at(-1)!;
  const span = Math.max(1, last.at - first.at);
  const top = niceCeiling(Math.max(1, ...samples.flatMap((s) => shown.map((x) => s[x.key]))));
  const x = (at: number) => ((at - first.at) / span) * WIDTH;
  const y = (value: number) => HEIGHT - (value / top) * HEIGHT;
  const summary = shown
    .map((series) => `${series.label} ${formatNumber(last[series.key])}`)
    .join(', ');
  const description = `Counts from ${formatTime(first.at, props.timeZone, { seconds: true })} to ${formatTime(last.at, props.timeZone, { seconds: true })}. Latest: ${summary}.`;
  return (
    <figure class="run-chart">
      <div class="run-chart__plot">
        <div class="run-chart__y" aria-hidden="true">
          <span>{formatNumber(top)}</span>
          <span>{formatNumber(top / 2)}</span>
          <span>0</span>
        </div>
        <svg
          class="run-chart__svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-labelledby={`${titleId} ${descId}`}
        >
          <title id={titleId}>Outcomes over time</title>
          <desc id={descId}>{description}</desc>
          {[0, 0.5, 1].map((f) => (
            <line
              key={f}
              x1={0}
              x2={WIDTH}
              y1={HEIGHT * f}
              y2={HEIGHT * f}
              class="run-chart__grid"
              vector-effect="non-scaling-stroke"
            />
          ))}
          {shown.map((series) =>
            segments(samples).map((part, index) => (
              <polyline
                key={`${series.key}-${index}`}
                points={part.points.map((s) => `${x(s.at)},${y(s[series.key])}`).join(' ')}
                fill="none"
                stroke={series.colour}
                stroke-width={2.5}
                stroke-dasharray={series.dash}
                stroke-opacity={part.watched ? 1 : 0.35}
                vector-effect="non-scaling-stroke"
              />
            )),
          )}
        </svg>
      </div>
      <div class="run-chart__x" aria-hidden="true">
        <span>{formatClock(first.at, props.timeZone)}</span>
        <span>{formatClock(last.at, props.timeZone)}</span>
      </div>
      <figcaption>
        <ul class="run-chart__legend">
          {shown.map((series) => (
            <li key={series.key}>
              <svg width="22" height="10" aria-hidden="true" class="run-chart__swatch">
                <line
                  x1="0"
                  x2="22"
                  y1="5"
                  y2="5"
                  stroke={series.colour}
                  stroke-width="3"
                  stroke-dasharray={series.dash}
                />
              </svg>
              {series.label} <strong>{formatNumber(last[series.key])}</strong>
            </li>
          ))}
        </ul>
        {samples.some((s) => s.assumed) && (
          <p class="hint">
            Faded lines join moments this screen did not watch (such as the run’s start).
          </p>
        )}
      </figcaption>
      <details class="run-chart__table">
        <summary>The chart’s figures as a table</summary>
        <TableScroll label="Outcome counts over time">
          <table>
            <caption class="visually-hidden">Outcome counts over time</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                {shown.map((series) => (
                  <th scope="col" class="number" key={series.key}>
                    {series.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {thin(samples, 20).map((sample) => (
                <tr key={sample.at}>
                  <td>{formatTime(sample.at, props.timeZone, { seconds: true })}</td>
                  {shown.map((series) => (
                    <td class="number" key={series.key}>
                      {formatNumber(sample[series.key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </figure>
  );
}

/** Consecutive samples grouped into watched and unwatched stretches (each stretch shares its ends). */
function segments(samples: Sample[]): { points: Sample[]; watched: boolean }[] {
  const parts: { points: Sample[]; watched: boolean }[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const watched = !a.assumed && !b.assumed && b.at - a.at <= UNWATCHED_MS;
    const current = parts.at(-1);
    if (current && current.watched === watched) current.points.push(b);
    else parts.push({ points: [a, b], watched });
  }
  return parts;
}

/** At most `max` rows: the first, the last and evenly spaced ones between. */
function thin(samples: Sample[], max: number): Sample[] {
  if (samples.length <= max) return samples;
  const step = (samples.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => samples[Math.round(i * step)]);
}

function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (value <= factor * power) return factor * power;
  return 10 * power;
}
