import {Component, useState} from "@odoo/owl";
import {FiguresFreshness, ScreenEmpty, useKpiScreen} from "../common/screen";
import {MonthSwitcher, TrendArrow, ZoneIcon} from "../common/indicators";
import {NAME_KEY, boardSortValue, nextSort, sortRows} from "../common/sorting";
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
 * sortable by any column; a click on a cell opens that employee's scorecard on that KPI. The figures of the open
 * scorecards shown are refreshed when they are older than a few minutes, and with the Refresh button (see
 * useKpiScreen); only the scorecards the user may read are on the board, so only those are refreshed.
 *
 * On a phone the names and the efficiency stay in view while the KPI columns scroll.
 */
export class TeamBoard extends Component {
    static template = "olimp_kpi.TeamBoard";
    static components = {
        Layout,
        FiguresFreshness,
        MonthSwitcher,
        ScreenEmpty,
        TrendArrow,
        ZoneIcon,
    };

    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        const params = actionParams(this.props.action);
        const filters = {
            month: params.month || false,
            team_id: toInt(params.team_id),
            company_id: toInt(params.company_id),
        };
        this.state = useState({sort: {key: NAME_KEY, ascending: true}});
        // Back from a scorecard (breadcrumbs): the same filters and order as before.
        if (this.props.state?.filters) {
            Object.assign(filters, this.props.state.filters);
            this.state.sort = this.props.state.sort;
        }
        this.screen = useKpiScreen({
            load: (kwargs) =>
                this.orm.call("olimp.kpi.scorecard", "get_team_board", [], kwargs),
            params: filters,
            isEmpty: (data) => !data.rows.length,
            onLoaded: (data) =>
                this.props.updateActionState?.({
                    month: data.month.key,
                    team_id: this.screen.params.team_id || undefined,
                    company_id: this.screen.params.company_id || undefined,
                }),
            live: true,
        });
        useSetupAction({
            getLocalState: () => ({
                filters: {...this.screen.params},
                sort: {...this.state.sort},
            }),
        });
    }

    get data() {
        return this.screen.data;
    }

    get emptyTitle() {
        return _t("No scorecard in %s", this.data.month.label);
    }

    /** Rows in the chosen order; rows without a value for the sorted column go last either way. */
    get rows() {
        const {key, ascending} = this.state.sort;
        const columns = this.data.columns;
        return sortRows(
            this.data.rows,
            (row) => boardSortValue(row, key, columns),
            ascending
        );
    }

    sortBy(key) {
        this.state.sort = nextSort(this.state.sort, key);
    }

    sortIcon(key) {
        if (this.state.sort.key !== key) {
            return "fa-sort text-muted opacity-50";
        }
        return this.state.sort.ascending ? "fa-sort-asc" : "fa-sort-desc";
    }

    ariaSort(key) {
        if (this.state.sort.key !== key) {
            return "none";
        }
        return this.state.sort.ascending ? "ascending" : "descending";
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
        return this.screen.load({team_id: toInt(ev.target.value)});
    }

    onCompanyChange(ev) {
        return this.screen.load({company_id: toInt(ev.target.value)});
    }

    async onRefresh() {
        await this.screen.refresh();
        if (!this.data.freshness?.error) {
            this.notification.add(_t("The actuals were collected again."), {
                type: "success",
            });
        }
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
