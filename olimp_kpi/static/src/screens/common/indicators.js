import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";

/**
 * The zone of a KPI at a glance: a coloured circle, with the zone's name for screen readers and on hover
 * (colour is never the only carrier of the information).
 */
export class ZoneIcon extends Component {
    static template = "olimp_kpi.ZoneIcon";
    static props = {
        zone: {type: String, optional: true},
        label: {type: String, optional: true},
    };

    get title() {
        return this.props.label || this.props.zone || "";
    }
}

/**
 * The trend against the previous month: an arrow up, down or flat, green when it goes the good way for this KPI
 * (up when higher is better, down when lower is better), red when it goes the bad way.
 */
export class TrendArrow extends Component {
    static template = "olimp_kpi.TrendArrow";
    static props = {
        trend: {type: [String, Boolean], optional: true},
        // True: good news, false: bad news, null: flat or no trend.
        good: {optional: true},
        label: {type: String, optional: true},
    };

    get icon() {
        return (
            {up: "fa-arrow-up", down: "fa-arrow-down"}[this.props.trend] ||
            "fa-arrow-right"
        );
    }

    get colour() {
        if (this.props.good === true) {
            return "text-success";
        }
        if (this.props.good === false) {
            return "text-danger";
        }
        return "text-muted";
    }

    get title() {
        const label = this.props.label || this.props.trend || "";
        if (this.props.good === true) {
            return _t("%s: better than the previous month", label);
        }
        if (this.props.good === false) {
            return _t("%s: worse than the previous month", label);
        }
        return label;
    }
}

/** Previous month / next month around the month shown, and a way back to the current month. */
export class MonthSwitcher extends Component {
    static template = "olimp_kpi.MonthSwitcher";
    static props = {
        label: String,
        isCurrent: {type: Boolean, optional: true},
        onPrevious: Function,
        onNext: Function,
        onCurrent: Function,
    };
}
