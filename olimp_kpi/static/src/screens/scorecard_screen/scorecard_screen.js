import { Component, onWillStart, useState } from "@odoo/owl";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { formatKpiValue, formatPercent, selectionLabel } from "../common/format";
import { HistoryChart } from "../common/history_chart";
import { MonthSwitcher, TrendArrow, ZoneIcon } from "../common/indicators";
import { actionParams, toInt } from "../common/params";

/**
 * One employee's month, as in the Olimp article: the KPI rows on top (plan, actual, completion, zone, trend,
 * weight, score) and, below, the details of the row under the cursor: the rule, the previous months, the checklist
 * answers and the way to the records behind the actual. Month and employee switch in place.
 */
export class ScorecardScreen extends Component {
    static template = "olimp_kpi.ScorecardScreen";
    static components = { Layout, HistoryChart, MonthSwitcher, TrendArrow, ZoneIcon };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.state = useState({ data: null, selectedKpiId: null, busy: false });
        // Back from the records or the form (breadcrumbs): the same employee, month and row as before.
        useSetupAction({
            getLocalState: () => ({
                employeeId: this.state.data?.employee?.id,
                month: this.state.data?.month.key,
                kpiId: this.state.selectedKpiId,
            }),
        });
        const params = actionParams(this.props.action);
        onWillStart(() =>
            this.load(
                this.props.state || {
                    employeeId: toInt(params.employee_id),
                    month: params.month,
                    kpiId: toInt(params.kpi_id),
                }
            )
        );
    }

    // -- data ------------------------------------------------------------------------------------------------
    async load({ employeeId, month, kpiId } = {}) {
        const data = await this.orm.call("olimp.kpi.scorecard", "get_screen_data", [], {
            employee_id: employeeId || false,
            month: month || false,
        });
        const wanted = kpiId || this.state.selectedKpiId;
        const line = data.lines.find((line) => line.kpi_id[0] === wanted) || data.lines[0];
        this.state.data = data;
        this.state.selectedKpiId = line ? line.kpi_id[0] : null;
        this.env.config.setDisplayName?.(data.employee ? data.employee.name : this.props.action.name);
        this.props.updateActionState?.({
            employee_id: data.employee ? data.employee.id : undefined,
            month: data.month.key,
        });
    }

    reload() {
        const data = this.state.data;
        return this.load({ employeeId: data.employee && data.employee.id, month: data.month.key });
    }

    get data() {
        return this.state.data;
    }

    get scorecard() {
        return this.data.scorecard;
    }

    get selectedLine() {
        return this.data.lines.find((line) => line.kpi_id[0] === this.state.selectedKpiId);
    }

    get isCurrentMonth() {
        return this.data.month.key === this.data.current_month;
    }

    get emptyTitle() {
        const month = this.data.month.label;
        return this.data.employee
            ? _t("No scorecard for %(employee)s in %(month)s", { employee: this.data.employee.name, month })
            : _t("No scorecard in %s", month);
    }

    get previousEfficiency() {
        return _t("Previous month: %s", formatPercent(this.scorecard.previous_efficiency));
    }

    /** Which comparison the arrows make: like with like while the month runs, whole months once it is over. */
    get trendBasisNote() {
        const card = this.scorecard;
        if (card.trend_basis === "prorated") {
            return _t(
                "Month so far: counts and sums are compared with the previous month pro-rated to the working days elapsed (%(elapsed)s of %(total)s); balances, ratios and checklists with the previous month's figure.",
                { elapsed: card.elapsed_working_days, total: card.working_days }
            );
        }
        if (card.trend_basis === "month") {
            return _t("Trends compare whole months: this month with the previous one.");
        }
        return _t("No previous month to compare with: the trends are flat.");
    }

    get otherEmployees() {
        return this.data.employees.length > 1;
    }

    // -- formatting ------------------------------------------------------------------------------------------
    value(line, fieldName) {
        return formatKpiValue(line[fieldName], line.unit, this.data.currency);
    }

    percent(value) {
        return formatPercent(value);
    }

    label(field, key) {
        return selectionLabel(this.data.labels, field, key);
    }

    /** The selected row in one sentence, as the article reads its example. */
    verdict(line) {
        const zone = {
            red: _t("Red zone: the plan is not met."),
            yellow: _t("Yellow zone: close to the plan."),
            green: _t("Green zone: the plan is met."),
        }[line.zone];
        const plan = line.target
            ? _t("Plan %(plan)s, actual %(actual)s.", {
                  plan: this.value(line, "target"),
                  actual: this.value(line, "actual"),
              })
            : _t("No plan this month: the KPI does not count in the efficiency.");
        const against =
            line.trend_basis === "prorated"
                ? _t("the previous month pro-rated to the working days elapsed (%s)", this.value(line, "trend_reference"))
                : _t("the previous month (%s)", this.value(line, "previous_actual"));
        const trend =
            line.trend_basis === "none"
                ? _t("No previous month to compare with.")
                : line.trend_good === true
                ? _t("A positive trend against %s.", against)
                : line.trend_good === false
                ? _t("A negative trend against %s.", against)
                : _t("No change against %s.", against);
        const noRatio =
            line.is_ratio && line.zone === "none" && !line.denominator_actual
                ? _t("The denominator is 0: there is no ratio this month.")
                : "";
        return [noRatio || plan, noRatio ? "" : zone, trend].filter(Boolean).join(" ");
    }

    measuredOn(line) {
        return line.measured_on ? formatDate(deserializeDate(line.measured_on)) : "";
    }

    operand(line, fieldName, unit) {
        return formatKpiValue(line[fieldName], unit, this.data.currency);
    }

    answerLabel(answer) {
        return { yes: _t("Yes"), no: _t("No") }[answer.value] || _t("Not answered");
    }

    // -- navigation ------------------------------------------------------------------------------------------
    selectLine(line) {
        this.state.selectedKpiId = line.kpi_id[0];
    }

    onTableKeydown(ev) {
        const step = { ArrowDown: 1, ArrowUp: -1 }[ev.key];
        if (!step) {
            return;
        }
        ev.preventDefault();
        const lines = this.data.lines;
        const index = lines.findIndex((line) => line.kpi_id[0] === this.state.selectedKpiId);
        const next = lines[Math.min(lines.length - 1, Math.max(0, index + step))];
        if (next) {
            this.selectLine(next);
        }
    }

    onEmployeeChange(ev) {
        return this.load({ employeeId: toInt(ev.target.value), month: this.data.month.key });
    }

    switchMonth(month) {
        return this.load({ employeeId: this.data.employee && this.data.employee.id, month });
    }

    // -- actions ---------------------------------------------------------------------------------------------
    async run(callback) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await callback();
        } finally {
            this.state.busy = false;
        }
    }

    onRefresh() {
        return this.run(async () => {
            await this.orm.call("olimp.kpi.scorecard", "action_refresh", [[this.scorecard.id]]);
            await this.reload();
            this.notification.add(_t("The actuals were collected again."), { type: "success" });
        });
    }

    async openRecords(line, denominator = false) {
        const method = denominator ? "action_open_denominator_records" : "action_open_records";
        const action = await this.orm.call("olimp.kpi.scorecard.line", method, [[line.id]]);
        return this.action.doAction(action);
    }

    openScorecardForm() {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "olimp.kpi.scorecard",
            res_id: this.scorecard.id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    openAnalysis() {
        return this.action.doAction("olimp_kpi.olimp_kpi_scorecard_line_action", {
            additionalContext: {
                search_default_employee_id: this.data.employee.id,
                search_default_group_kpi: 1,
            },
        });
    }

    setAnswer(answer, value) {
        if (answer.value === value) {
            return; // an answer changes only on purpose: clearing it is its own button
        }
        return this.run(async () => {
            await this.orm.write("olimp.kpi.scorecard.answer", [answer.id], { value });
            await this.reload();
        });
    }

    clearAnswer(answer) {
        return this.run(async () => {
            await this.orm.call("olimp.kpi.scorecard.answer", "action_clear", [[answer.id]]);
            await this.reload();
        });
    }
}

registry.category("actions").add("olimp_kpi.scorecard_screen", ScorecardScreen, { force: true });
