/**
 * Small SVG charts for the Stats screen: a line, a stacked area and bars. Hand-written rather than a
 * library: measured against uPlot and Recharts for a year of daily data (README, "The desktop app"),
 * they are the smallest and the fastest to draw, follow the theme's colours (light and dark) through
 * CSS, and need no inline script or canvas. The plot stretches to its card (a viewBox without aspect
 * ratio, strokes that do not scale); the labels are HTML around it, so text never stretches.
 */

const WIDTH = 1000

type Point = readonly [number, number]

/** A path through points, `M x,y L x,y …`. */
function pathOf(points: readonly Point[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('')
}

/** The points to draw: a single one (one day of data) becomes a level line across the width. */
function spread(points: readonly Point[]): readonly Point[] {
  return points.length === 1
    ? [
        [0, points[0]![1]],
        [WIDTH, points[0]![1]]
      ]
    : points
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten, at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

function Axis({ top, first, last }: { readonly top: number; readonly first: string; readonly last: string }) {
  return (
    <>
      <span className="chart__max">{top.toLocaleString('en-US')}</span>
      <div className="chart__dates" aria-hidden="true">
        <span>{first}</span>
        <span>{last}</span>
      </div>
    </>
  )
}

/** One series over days. */
export function LineChart({
  label,
  days,
  values,
  height = 160
}: {
  readonly label: string
  readonly days: readonly string[]
  readonly values: readonly number[]
  readonly height?: number
}) {
  const top = niceMax(Math.max(0, ...values))
  const x = (i: number): number => (values.length < 2 ? 0 : (i / (values.length - 1)) * WIDTH)
  const y = (v: number): number => height - (v / top) * height
  const line = pathOf(spread(values.map((v, i) => [x(i), y(v)] as const)))
  return (
    <figure className="chart">
      <div className="chart__plot">
        <svg viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} style={{ height }}>
          <line className="chart__grid" x1="0" x2={WIDTH} y1={height / 2} y2={height / 2} vectorEffect="non-scaling-stroke" />
          <path className="chart__area chart__series--0" d={`${line}L${WIDTH},${height}L0,${height}Z`} />
          <path className="chart__line" d={line} vectorEffect="non-scaling-stroke" />
        </svg>
        <Axis top={top} first={days[0] ?? ''} last={days.at(-1) ?? ''} />
      </div>
    </figure>
  )
}

/** Several series stacked over days, the first at the bottom, with a legend. */
export function StackedAreaChart({
  label,
  days,
  series,
  height = 200
}: {
  readonly label: string
  readonly days: readonly string[]
  /** Bottom first. */
  readonly series: readonly { readonly key: string; readonly values: readonly number[] }[]
  readonly height?: number
}) {
  const totals = days.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0))
  const top = niceMax(Math.max(0, ...totals))
  const x = (i: number): number => (days.length < 2 ? 0 : (i / (days.length - 1)) * WIDTH)
  const y = (v: number): number => height - (v / top) * height
  let below = days.map(() => 0)
  const layers = series.map((s) => {
    const above = below.map((b, i) => b + (s.values[i] ?? 0))
    const upper = spread(above.map((v, i) => [x(i), y(v)] as const))
    const lower = [...spread(below.map((v, i) => [x(i), y(v)] as const))].reverse()
    below = above
    return { key: s.key, d: `${pathOf(upper)}${pathOf(lower).replace('M', 'L')}Z` }
  })
  return (
    <figure className="chart">
      <div className="chart__plot">
        <svg viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} style={{ height }}>
          {layers.map((layer, i) => (
            <path key={layer.key} className={`chart__layer chart__series--${i % 8}`} d={layer.d} />
          ))}
        </svg>
        <Axis top={top} first={days[0] ?? ''} last={days.at(-1) ?? ''} />
      </div>
      <figcaption className="chart__legend">
        {[...layers].reverse().map((layer) => (
          <span key={layer.key} className="chart__key">
            <span className={`chart__swatch chart__series--${layers.indexOf(layer) % 8}`} aria-hidden="true" />
            {layer.key}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}

/** Horizontal bars: a share or a count per key, largest value the full width. */
export function BarList({
  label,
  rows,
  format
}: {
  readonly label: string
  readonly rows: readonly { readonly key: string; readonly value: number; readonly note?: string; readonly tone?: 'bad' }[]
  readonly format: (value: number) => string
}) {
  const max = Math.max(0, ...rows.map((r) => r.value))
  return (
    <ul className="bars" aria-label={label}>
      {rows.map((row) => (
        <li key={row.key} className={`bars__row${row.tone === 'bad' ? ' bars__row--bad' : ''}`}>
          <span className="bars__key mono">{row.key}</span>
          <span className="bars__track" aria-hidden="true">
            <span className="bars__fill" style={{ width: `${max > 0 ? (row.value / max) * 100 : 0}%` }} />
          </span>
          <span className="bars__value">
            {format(row.value)}
            {row.note !== undefined && <span className="muted small"> {row.note}</span>}
          </span>
        </li>
      ))}
    </ul>
  )
}
