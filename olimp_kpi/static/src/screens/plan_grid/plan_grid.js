import {Component, onWillStart, useState} from "@odoo/owl";
import {MonthSwitcher, ZoneIcon} from "../common/indicators";
import {actionParams, toInt} from "../common/params";
import {formatKpiValue, formatPlanInput, selectionLabel} from "../common/format";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {parseFloat} from "@web/views/fields/parsers";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";

/**
 * Plans of many people at once: employees × KPIs of one month, or employees × months of one KPI. A plan is edited
 * in place while its scorecard is open (the server refuses closed ones and people who are not team leaders);
 * "Copy Plans to Next Month" prepares the next month; "Import" opens the plan lines for Odoo's standard import.
 */
export class PlanGrid extends Component {
    static template = "olimp_kpi.PlanGrid";
    static components = {Layout, MonthSwitcher, ZoneIcon};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.state = useState({data: null, busy: false});
        const params = actionParams(this.props.action);
        this.filters = {
            month: params.month || false,
            mode: params.mode === "months" ? "months" : "kpis",
            kpi_id: toInt(params.kpi_id),
            team_id: toInt(params.team_id),
            company_id: toInt(params.company_id),
        };
        this.formatPlanInput = formatPlanInput;
        // Back from the plans list (breadcrumbs): the same layout and filters as before.
        if (this.props.state?.filters) {
            Object.assign(this.filters, this.props.state.filters);
        }
        useSetupAction({getLocalState: () => ({filters: {...this.filters}})});
        onWillStart(() => this.load());
    }

    async load(changes = {}) {
        Object.assign(this.filters, changes);
        const data = await this.orm.call("olimp.kpi.scorecard", "get_plan_grid", [], {
            ...this.filters,
        });
        Object.assign(this.filters, {
            month: data.month.key,
            mode: data.mode,
            kpi_id: data.kpi_id,
        });
        this.state.data = data;
        this.props.updateActionState?.({
            month: data.month.key,
            mode: data.mode,
            kpi_id: data.mode === "months" ? data.kpi_id || undefined : undefined,
            team_id: this.filters.team_id || undefined,
            company_id: this.filters.company_id || undefined,
        });
    }

    get data() {
        return this.state.data;
    }

    get isCurrentMonth() {
        return this.data.month.key === this.data.current_month;
    }

    get selectedKpi() {
        return this.data.kpis.find((kpi) => kpi.id === this.data.kpi_id);
    }

    /** The KPI a cell belongs to: its column in the KPIs mode, the chosen KPI in the months mode. */
    kpiOf(column) {
        return this.data.mode === "kpis" ? column : this.selectedKpi || {};
    }

    get emptyTitle() {
        return this.data.mode === "kpis"
            ? _t("No scorecard in %s", this.data.month.label)
            : _t("No plan for this KPI around %s", this.data.month.label);
    }

    get noCellTitle() {
        return this.data.mode === "months"
            ? _t(
                  "No scorecard line this month: scorecards are made on the 1st, or by Copy Plans to Next Month."
              )
            : _t("This KPI is not in the employee's scorecard.");
    }

    monthOf(column) {
        return this.data.mode === "months" ? column.key : this.data.month.key;
    }

    format(value, unit) {
        return formatKpiValue(value, unit, this.data.currency);
    }

    label(field, key) {
        return selectionLabel(this.data.labels, field, key);
    }

    // -- filters ---------------------------------------------------------------------------------------------
    setMode(mode) {
        return this.load({mode});
    }

    onKpiChange(ev) {
        return this.load({kpi_id: toInt(ev.target.value)});
    }

    onTeamChange(ev) {
        return this.load({team_id: toInt(ev.target.value)});
    }

    onCompanyChange(ev) {
        return this.load({company_id: toInt(ev.target.value)});
    }

    // -- editing ---------------------------------------------------------------------------------------------
    onInputKeydown(cell, ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            return this.commit(cell, ev.target);
        }
        if (ev.key === "Escape") {
            ev.target.value = formatPlanInput(cell.target);
        }
    }

    async commit(cell, input) {
        let value = 0;
        try {
            value = input.value.trim() ? parseFloat(input.value) : 0;
        } catch {
            this.notification.add(_t("“%s” is not a number.", input.value), {
                type: "danger",
            });
            input.value = formatPlanInput(cell.target);
            return;
        }
        if (value < 0) {
            this.notification.add(_t("A plan cannot be negative."), {type: "danger"});
            input.value = formatPlanInput(cell.target);
            return;
        }
        if (value === cell.target || cell.saving) {
            return;
        }
        cell.saving = true;
        cell.saved = false;
        try {
            await this.orm.write("olimp.kpi.scorecard.line", [cell.line_id], {
                target: value,
            });
            const [line] = await this.orm.read(
                "olimp.kpi.scorecard.line",
                [cell.line_id],
                ["target", "actual", "zone"]
            );
            Object.assign(cell, {
                target: line.target,
                actual: line.actual,
                zone: line.zone,
                saved: true,
            });
            input.value = formatPlanInput(line.target);
        } catch (error) {
            input.value = formatPlanInput(cell.target);
            throw error;
        } finally {
            cell.saving = false;
        }
    }

    // -- buttons ---------------------------------------------------------------------------------------------
    copyToNextMonth() {
        const data = this.data;
        this.dialog.add(ConfirmationDialog, {
            title: _t("Copy Plans to Next Month"),
            body: _t(
                "The plans of %(month)s of the employees shown are copied to the next month, whose scorecards are made if needed. Closed scorecards keep their plans.",
                {month: data.month.label}
            ),
            confirmLabel: _t("Copy"),
            confirm: async () => {
                const result = await this.orm.call(
                    "olimp.kpi.scorecard",
                    "copy_plan_to_next_month",
                    [data.month.key],
                    {
                        team_id: this.filters.team_id || false,
                        company_id: this.filters.company_id || false,
                        kpi_id: data.mode === "months" ? data.kpi_id || false : false,
                    }
                );
                this.notification.add(
                    _t(
                        "%(month)s: %(copied)s plans copied, %(created)s scorecards made, %(closed)s closed lines left as they were.",
                        {
                            month: result.month.label,
                            copied: result.copied,
                            created: result.created,
                            closed: result.closed,
                        }
                    ),
                    {type: "success"}
                );
                await this.load(data.mode === "kpis" ? {month: result.month.key} : {});
            },
            // The dialog shows its Cancel button only when given a callback; cancelling does nothing else.
            // eslint-disable-next-line no-empty-function
            cancel: () => {},
        });
    }

    openImport() {
        return this.action.doAction("olimp_kpi.olimp_kpi_scorecard_line_action_plan", {
            additionalContext: {search_default_date_from: false},
        });
    }
}

registry.category("actions").add("olimp_kpi.plan_grid", PlanGrid, {force: true});
