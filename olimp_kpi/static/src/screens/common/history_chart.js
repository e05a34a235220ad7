import {formatKpiValue, formatPercent} from "./format";
import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {humanNumber} from "@web/core/utils/numbers";

const SLOT = 64;
const BAR = 30;
const TOP = 18;
const HEIGHT = 110;
const BOTTOM = 22;

/**
 * The KPI over the last months: one bar per month (the actual, coloured by its zone) and a dash at the plan.
 * Plain SVG: no chart library to load for six bars.
 */
export class HistoryChart extends Component {
    static template = "olimp_kpi.HistoryChart";
    static props = {
        // One point per month, null when there is no scorecard line that month.
        points: Array,
        // The months: [{key, label}].
        months: Array,
        unit: String,
        currency: {type: Object, optional: true},
    };

    get width() {
        return SLOT * this.props.months.length;
    }

    get height() {
        return TOP + HEIGHT + BOTTOM;
    }

    get baseline() {
        return TOP + HEIGHT;
    }

    get bars() {
        const points = this.props.points;
        const values = points
            .filter(Boolean)
            .flatMap((point) => [point.actual, point.target]);
        const max = Math.max(1e-9, ...values);
        const scale = (value) => (Math.max(0, value) / max) * HEIGHT;
        return this.props.months.map((month, index) => {
            const point = points[index];
            const x = index * SLOT + (SLOT - BAR) / 2;
            if (!point) {
                return {
                    key: month.key,
                    label: month.label,
                    x,
                    empty: true,
                    title: _t("No scorecard"),
                };
            }
            const barHeight = scale(point.actual);
            const y = this.baseline - barHeight;
            const planY = point.target ? this.baseline - scale(point.target) : null;
            // The value sits on its bar, unless the plan's dash is there: then above both.
            const labelY =
                planY !== null && Math.abs(y - planY) < 14
                    ? Math.min(y, planY) - 5
                    : y - 5;
            const value = formatKpiValue(
                point.actual,
                this.props.unit,
                this.props.currency
            );
            const plan = formatKpiValue(
                point.target,
                this.props.unit,
                this.props.currency
            );
            return {
                key: month.key,
                label: month.label,
                x,
                y,
                height: Math.max(barHeight, 1),
                zone: point.zone,
                planY,
                labelY,
                short:
                    this.props.unit === "amount"
                        ? humanNumber(point.actual, {decimals: 0})
                        : value,
                title: _t("%(month)s: %(actual)s of %(plan)s (%(completion)s)", {
                    month: month.label,
                    actual: value,
                    plan,
                    completion: formatPercent(point.completion),
                }),
            };
        });
    }
}
