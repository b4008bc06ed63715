// Thin wrappers over @grafana/grafana-foundation-sdk so each dashboard file reads as a list of panels with
// their queries. Every panel and query points at the `$datasource` variable, so one JSON works against any
// Prometheus a Grafana instance has.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

export const datasourceRef: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** One PromQL query; `legend` uses Grafana's `{{label}}` syntax. */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

/** A colour change at `value` (Grafana thresholds start with a base step at -Infinity). */
export interface Step {
  readonly value: number;
  readonly color: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  /** Grafana unit id, e.g. `reqps`, `s`, `percentunit`, `bytes`. */
  readonly unit?: string;
  /** Width in grid columns (24 per row) and height in grid rows. */
  readonly width?: number;
  readonly height?: number;
  readonly steps?: readonly Step[];
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Text for discrete values, e.g. circuit breaker states. */
  readonly valueText?: Readonly<Record<string, { readonly text: string; readonly color: string }>>;
}

export interface TimeseriesSpec extends PanelSpec {
  readonly stacked?: boolean;
}

const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: readonly Query[], instant: boolean): prometheus.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const t = new prometheus.DataqueryBuilder()
      .datasource(datasourceRef)
      .refId(refIds.charAt(i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    return instant ? t.instant() : t.range();
  });
}

function thresholds(steps: readonly Step[] | undefined): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([
      { value: null, color: 'green' },
      ...(steps ?? []).map((s) => ({ value: s.value, color: s.color })),
    ]);
}

function mappings(spec: PanelSpec): dashboard.ValueMapping[] {
  if (spec.valueText === undefined) return [];
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(spec.valueText).forEach(([value, result], index) => {
    options[value] = { text: result.text, color: result.color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** The calls every panel kind shares, in the order they are made (which is the order of the JSON keys). */
interface PanelBasics<B> {
  title(title: string): B;
  description(description: string): B;
  datasource(datasource: common.DataSourceRef): B;
  targets(targets: cog.Builder<cog.Dataquery>[]): B;
  unit(unit: string): B;
  span(span: number): B;
  height(height: number): B;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): B;
  mappings(mappings: dashboard.ValueMapping[]): B;
}

/** Title, description, queries, unit, size (default `width` × `height` grid units), thresholds and value texts. */
function basics<B extends PanelBasics<B>>(panel: B, spec: PanelSpec, width: number, height: number): B {
  return panel
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .targets(targets(spec.queries, false))
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? width)
    .height(spec.height ?? height)
    .thresholds(thresholds(spec.steps))
    .mappings(mappings(spec));
}

/** A graph over time. */
export function graph(spec: TimeseriesSpec): timeseries.PanelBuilder {
  const p = basics(new timeseries.PanelBuilder(), spec, 12, 8)
    .lineWidth(1)
    .fillOpacity(spec.stacked === true ? 40 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (spec.stacked === true) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.steps !== undefined) {
    p.thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
    );
  }
  if (spec.min !== undefined) p.min(spec.min);
  if (spec.max !== undefined) p.max(spec.max);
  if (spec.decimals !== undefined) p.decimals(spec.decimals);
  return p;
}

/** A single current value, coloured by its thresholds, with a sparkline. */
export function single(spec: PanelSpec): stat.PanelBuilder {
  const p = basics(new stat.PanelBuilder(), spec, 4, 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(
      spec.steps === undefined && spec.valueText === undefined
        ? common.BigValueColorMode.None
        : common.BigValueColorMode.Value,
    )
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (spec.min !== undefined) p.min(spec.min);
  if (spec.max !== undefined) p.max(spec.max);
  if (spec.decimals !== undefined) p.decimals(spec.decimals);
  return p;
}

/** Discrete states over time, one lane per series, coloured and named by `valueText`. */
export function states(spec: PanelSpec): statetimeline.PanelBuilder {
  return basics(new statetimeline.PanelBuilder(), spec, 12, 8)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .fillOpacity(80)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Single)
        .sort(common.SortOrder.None),
    );
}
