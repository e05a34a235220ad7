import {Component, onWillStart, useState} from "@odoo/owl";
import {MonthSwitcher, TrendArrow, ZoneIcon} from "../common/indicators";
import {actionParams, toInt} from "../common/params";
import {formatKpiValue, formatPercent, selectionLabel} from "../common/format";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";

/**
 * The whole team at a glance: employees × KPIs of one month, each cell coloured by its zone with the completion;
 * sortable by any column; a click on a cell opens that employee's scorecard on that KPI.
 */
export class TeamBoard extends Component {
    static template = "olimp_kpi.TeamBoard";
    static components = {Layout, MonthSwitcher, TrendArrow, ZoneIcon};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({data: null, sortKey: "employee", sortAsc: true});
        const params = actionParams(this.props.action);
        this.filters = {
            month: params.month || false,
            team_id: toInt(params.team_id),
            company_id: toInt(params.company_id),
        };
        // Back from a scorecard (breadcrumbs): the same filters and order as before.
        if (this.props.state?.filters) {
            Object.assign(this.filters, this.props.state.filters);
            Object.assign(this.state, {
                sortKey: this.props.state.sortKey,
                sortAsc: this.props.state.sortAsc,
            });
        }
        useSetupAction({
            getLocalState: () => ({
                filters: {...this.filters},
                sortKey: this.state.sortKey,
                sortAsc: this.state.sortAsc,
            }),
        });
        onWillStart(() => this.load());
    }

    async load(changes = {}) {
        Object.assign(this.filters, changes);
        const data = await this.orm.call("olimp.kpi.scorecard", "get_team_board", [], {
            ...this.filters,
        });
        this.filters.month = data.month.key;
        this.state.data = data;
        this.props.updateActionState?.({
            month: data.month.key,
            team_id: this.filters.team_id || undefined,
            company_id: this.filters.company_id || undefined,
        });
    }

    get data() {
        return this.state.data;
    }

    get emptyTitle() {
        return _t("No scorecard in %s", this.data.month.label);
    }

    get isCurrentMonth() {
        return this.data.month.key === this.data.current_month;
    }

    /** Rows in the chosen order; rows without a value for the sorted column go last either way. */
    get rows() {
        const {sortKey, sortAsc} = this.state;
        const direction = sortAsc ? 1 : -1;
        const valueOf = (row) => {
            if (sortKey === "employee") {
                return row.employee.name;
            }
            if (sortKey === "efficiency") {
                return row.efficiency;
            }
            const cell =
                row.cells[
                    this.data.columns.findIndex((column) => column.id === sortKey)
                ];
            return cell && cell.zone !== "none" ? cell.completion : null;
        };
        return [...this.data.rows].sort((a, b) => {
            const [x, y] = [valueOf(a), valueOf(b)];
            if (x === null || y === null) {
                return x === y ? 0 : x === null ? 1 : -1;
            }
            if (typeof x === "string") {
                return direction * x.localeCompare(y);
            }
            return direction * (x - y);
        });
    }

    sortBy(key) {
        if (this.state.sortKey === key) {
            this.state.sortAsc = !this.state.sortAsc;
        } else {
            this.state.sortKey = key;
            // Names read A to Z; figures are compared best first.
            this.state.sortAsc = key === "employee";
        }
    }

    sortIcon(key) {
        if (this.state.sortKey !== key) {
            return "fa-sort text-muted opacity-50";
        }
        return this.state.sortAsc ? "fa-sort-asc" : "fa-sort-desc";
    }

    ariaSort(key) {
        if (this.state.sortKey !== key) {
            return "none";
        }
        return this.state.sortAsc ? "ascending" : "descending";
    }

    percent(value) {
        return formatPercent(value);
    }

    label(field, key) {
        return selectionLabel(this.data.labels, field, key);
    }

    cellTitle(row, column, cell) {
        if (!cell) {
            return _t("%(kpi)s is not in %(employee)s's scorecard", {
                kpi: column.name,
                employee: row.employee.name,
            });
        }
        return _t("%(employee)s, %(kpi)s: %(actual)s of %(plan)s (%(zone)s)", {
            employee: row.employee.name,
            kpi: column.name,
            actual: formatKpiValue(cell.actual, column.unit),
            plan: cell.target ? formatKpiValue(cell.target, column.unit) : "—",
            zone: this.label("zone", cell.zone),
        });
    }

    onTeamChange(ev) {
        return this.load({team_id: toInt(ev.target.value)});
    }

    onCompanyChange(ev) {
        return this.load({company_id: toInt(ev.target.value)});
    }

    openScorecard(row, column) {
        return this.action.doAction({
            type: "ir.actions.client",
            tag: "olimp_kpi.scorecard_screen",
            name: row.employee.name,
            params: {
                employee_id: row.employee.id,
                month: this.data.month.key,
                kpi_id: column ? column.id : undefined,
            },
        });
    }
}

registry.category("actions").add("olimp_kpi.team_board", TeamBoard, {force: true});
