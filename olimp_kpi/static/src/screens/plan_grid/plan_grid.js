import {Component, useState} from "@odoo/owl";
import {MonthSwitcher, ZoneIcon} from "../common/indicators";
import {ScreenEmpty, useKpiScreen} from "../common/screen";
import {actionParams, toInt} from "../common/params";
import {formatKpiValue, formatPlanInput, selectionLabel} from "../common/format";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {Dialog} from "@web/core/dialog/dialog";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {planGridNavigation} from "./navigation";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";
const MODEL = "olimp.kpi.plan";

/** The message of a refused call (a UserError of the server), or a generic one. */
function errorMessage(error) {
    return error?.data?.message || error?.message || _t("The plan could not be saved.");
}

/**
 * "Copy Year Forward": the year's plans to the next year, raised by a percentage, for every KPI or the one shown.
 */
export class CopyYearDialog extends Component {
    static template = "olimp_kpi.PlanGridCopyYearDialog";
    static components = {Dialog};
    static props = {
        year: Number,
        kpiName: {type: String, optional: true},
        confirm: Function,
        close: Function,
    };

    setup() {
        this.state = useState({percent: "0", scope: "all", error: false, busy: false});
    }

    get intro() {
        return _t(
            "Each month's plans of %(year)s become the plans of the same month of %(next)s, changed by:",
            {
                year: this.props.year,
                next: this.props.year + 1,
            }
        );
    }

    get onlyKpiLabel() {
        return _t("Only %s", this.props.kpiName);
    }

    get note() {
        return _t(
            "Counts stay whole and checklist plans at most %(max)s. Plans already typed for %(next)s are replaced; closed months keep theirs.",
            {max: "100\u00a0%", next: this.props.year + 1}
        );
    }

    async apply() {
        this.state.busy = true;
        try {
            await this.props.confirm({
                percent: this.state.percent,
                onlyKpi: this.state.scope === "kpi",
            });
            this.props.close();
        } catch (error) {
            this.state.error = errorMessage(error);
        } finally {
            this.state.busy = false;
        }
    }
}

/**
 * Plans of many people at once: employees × KPIs of one month, or employees × the 12 months of a year for one KPI.
 * A cell is the plan of its month: typed for it, else the scorecard's, else the profile's (shown in grey). The text
 * typed is read by the server in the user's language and checked there (a count is whole, a checklist plan is at
 * most 100 %, no scientific notation); an emptied cell means "no plan" only once confirmed. A plan changed by
 * someone else since it was shown is not overwritten.
 */
export class PlanGrid extends Component {
    static template = "olimp_kpi.PlanGrid";
    static components = {Layout, MonthSwitcher, ScreenEmpty, ZoneIcon};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        const params = actionParams(this.props.action);
        const filters = {
            month: params.month || false,
            mode: ["year", "months"].includes(params.mode) ? "year" : "kpis",
            kpi_id: toInt(params.kpi_id),
            team_id: toInt(params.team_id),
            company_id: toInt(params.company_id),
        };
        this.formatPlanInput = formatPlanInput;
        // Back from the plans list (breadcrumbs): the same layout and filters as before.
        if (this.props.state?.filters) {
            Object.assign(filters, this.props.state.filters);
        }
        this.screen = useKpiScreen({
            load: (kwargs) => this.orm.call(MODEL, "get_grid", [], kwargs),
            params: filters,
            isEmpty: (data) => !data.rows.length,
            onLoaded: (data) => this.onLoaded(data),
            navigation: planGridNavigation,
            onLimit: (data) =>
                this.notification.add(
                    _t("Plans can be made up to %s.", data.horizon.label),
                    {type: "info"}
                ),
        });
        useSetupAction({getLocalState: () => ({filters: {...this.screen.params}})});
    }

    onLoaded(data) {
        // The layout and the KPI the server chose (the first KPI when none was asked for) stay for the next loads.
        Object.assign(this.screen.params, {mode: data.mode, kpi_id: data.kpi_id});
        this.props.updateActionState?.({
            month: data.month.key,
            mode: data.mode,
            kpi_id: data.mode === "year" ? data.kpi_id || undefined : undefined,
            team_id: this.screen.params.team_id || undefined,
            company_id: this.screen.params.company_id || undefined,
        });
    }

    get data() {
        return this.screen.data;
    }

    get isYear() {
        return this.data.mode === "year";
    }

    get selectedKpi() {
        return this.data.kpis.find((kpi) => kpi.id === this.data.kpi_id);
    }

    /** The KPI a cell belongs to: its column in the KPIs layout, the chosen KPI in the year layout. */
    kpiOf(column) {
        return this.isYear ? this.selectedKpi || {} : column;
    }

    get emptyTitle() {
        return this.isYear
            ? _t("Nobody you plan for has this KPI in %s", this.data.year)
            : _t("Nobody you plan for has a KPI profile in %s", this.data.month.label);
    }

    get noCellTitle() {
        return _t(
            "This KPI is neither in the employee's profile nor in their scorecard."
        );
    }

    format(value, unit) {
        return formatKpiValue(value, unit, this.data.currency);
    }

    label(field, key) {
        return selectionLabel(this.data.labels, field, key);
    }

    sourceTitle(cell) {
        if (cell.state === "closed") {
            return _t("Closed: the plan can no longer change");
        }
        if (!cell.editable) {
            return _t("Plans can be made up to %s", this.data.horizon.label);
        }
        if (cell.source === "profile") {
            return _t("From the KPI profile: type a plan to make it this month's");
        }
        return undefined;
    }

    // -- filters (the months: see planGridNavigation) --------------------------------------------------------
    setMode(mode) {
        return this.screen.load({mode});
    }

    onKpiChange(ev) {
        return this.screen.load({kpi_id: toInt(ev.target.value)});
    }

    onTeamChange(ev) {
        return this.screen.load({team_id: toInt(ev.target.value)});
    }

    onCompanyChange(ev) {
        return this.screen.load({company_id: toInt(ev.target.value)});
    }

    // -- editing ---------------------------------------------------------------------------------------------
    onInputKeydown(cell, ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            return this.commit(cell, ev.target);
        }
        if (ev.key === "Escape") {
            ev.target.value = formatPlanInput(cell.value);
            cell.error = false;
        }
    }

    async commit(cell, input) {
        const text = input.value;
        if (cell.saving || text === formatPlanInput(cell.value)) {
            return;
        }
        if (!text.trim()) {
            this.dialog.add(ConfirmationDialog, {
                title: _t("No plan?"),
                body: _t(
                    "Without a plan this KPI no longer counts in the employee's efficiency this month. Leave it without a plan?"
                ),
                confirmLabel: _t("No plan"),
                cancelLabel: _t("Keep the plan"),
                confirm: () => this.save(cell, input, "", true),
                cancel: () => {
                    input.value = formatPlanInput(cell.value);
                },
            });
            return;
        }
        return this.save(cell, input, text, false);
    }

    async save(cell, input, text, clear) {
        cell.saving = true;
        cell.saved = false;
        cell.error = false;
        try {
            const fresh = await this.orm.call(
                MODEL,
                "set_grid_plan",
                [cell.employee_id, cell.kpi_id, cell.month, text],
                {seen: cell.plan, clear}
            );
            Object.assign(cell, fresh, {saved: true});
            input.value = formatPlanInput(cell.value);
        } catch (error) {
            cell.error = errorMessage(error);
            await this.refreshCell(cell, input);
        } finally {
            cell.saving = false;
        }
    }

    /** After a refused change: the cell as it is now (someone else may have changed it), the text typed kept. */
    async refreshCell(cell, input) {
        const typed = input.value;
        const fresh = await this.orm.call(MODEL, "get_grid_cell", [
            cell.employee_id,
            cell.kpi_id,
            cell.month,
        ]);
        const changed = fresh && fresh.plan !== cell.plan;
        if (fresh) {
            Object.assign(cell, fresh);
        }
        input.value = changed ? formatPlanInput(cell.value) : typed;
    }

    // -- buttons ---------------------------------------------------------------------------------------------
    get scopeArgs() {
        return {
            team_id: this.screen.params.team_id || false,
            company_id: this.screen.params.company_id || false,
        };
    }

    copyToNextMonth() {
        const data = this.data;
        this.dialog.add(ConfirmationDialog, {
            title: _t("Copy Plans to Next Month"),
            body: _t(
                "The plans of %(month)s of the employees shown become their plans of the next month. Closed months keep their plans.",
                {month: data.month.label}
            ),
            confirmLabel: _t("Copy"),
            confirm: async () => {
                const result = await this.orm.call(
                    MODEL,
                    "copy_to_next_month",
                    [data.month.key],
                    this.scopeArgs
                );
                this.notifyCopy(result.month.label, result);
                await this.screen.load({month: result.month.key});
            },
            cancel: () => {
                // Nothing to undo: the dialog just closes.
            },
        });
    }

    notifyCopy(target, result) {
        this.notification.add(
            _t(
                "%(target)s: %(copied)s plans copied, %(unchanged)s were already the same, %(closed)s in closed months left as they were.",
                {
                    target,
                    copied: result.copied,
                    unchanged: result.unchanged,
                    closed: result.closed,
                }
            ),
            {type: result.copied || result.unchanged ? "success" : "warning"}
        );
    }

    copyYearForward() {
        const data = this.data;
        this.dialog.add(CopyYearDialog, {
            year: data.year,
            kpiName: this.selectedKpi?.name,
            confirm: async ({percent, onlyKpi}) => {
                const result = await this.orm.call(
                    MODEL,
                    "copy_year_forward",
                    [data.year, percent],
                    {
                        ...this.scopeArgs,
                        kpi_id: onlyKpi ? data.kpi_id : false,
                    }
                );
                this.notifyCopy(String(result.year), result);
                await this.screen.load({month: `${result.year}-01-01`});
            },
        });
    }

    fillYearFromProfile() {
        const data = this.data;
        this.dialog.add(ConfirmationDialog, {
            title: _t("Fill the Year from the Profile"),
            body: _t(
                "Every month of %(year)s without a plan of its own gets the plan of the employee's KPI profile for %(kpi)s, to change from there. Plans already typed stay.",
                {year: data.year, kpi: this.selectedKpi?.name || ""}
            ),
            confirmLabel: _t("Fill"),
            confirm: async () => {
                const result = await this.orm.call(
                    MODEL,
                    "fill_year_from_profile",
                    [data.year],
                    {
                        ...this.scopeArgs,
                        kpi_id: data.kpi_id,
                    }
                );
                this.notification.add(
                    _t(
                        "%(year)s: %(filled)s months filled from the profile, %(planned)s already had a plan, %(closed)s closed.",
                        result
                    ),
                    {type: "success"}
                );
                await this.screen.reload();
            },
            cancel: () => {
                // Nothing to undo: the dialog just closes.
            },
        });
    }

    openImport() {
        return this.action.doAction("olimp_kpi.olimp_kpi_plan_action");
    }
}

registry.category("actions").add("olimp_kpi.plan_grid", PlanGrid, {force: true});
