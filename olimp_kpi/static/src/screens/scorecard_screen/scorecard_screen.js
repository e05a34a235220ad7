import {Component, onPatched, useRef, useState} from "@odoo/owl";
import {FiguresFreshness, ScreenEmpty, useKpiScreen} from "../common/screen";
import {MonthSwitcher, TrendArrow, ZoneIcon} from "../common/indicators";
import {actionParams, toInt} from "../common/params";
import {deserializeDate, formatDate} from "@web/core/l10n/dates";
import {formatKpiValue, formatPercent, selectionLabel} from "../common/format";
import {HistoryChart} from "../common/history_chart";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";

/**
 * One employee's month, as in the Olimp article: the KPI rows on top (plan, actual, completion, zone, trend,
 * weight, score) and, below, the details of the row under the cursor: the rule, the previous months, the checklist
 * answers and the way to the records behind the actual. Month and employee switch in place. The figures of an
 * open scorecard are refreshed when they are older than a few minutes (see useKpiScreen).
 *
 * On a phone the rows are stacked (zone and name, then plan, actual and completion, then trend, weight and
 * score), the details open under the row tapped, and the buttons are in the page with their labels.
 */
export class ScorecardScreen extends Component {
    static template = "olimp_kpi.ScorecardScreen";
    static components = {
        Layout,
        FiguresFreshness,
        HistoryChart,
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
        this.state = useState({selectedKpiId: null, busy: false});
        // Back from the records or the form (breadcrumbs): the same employee, month and row as before.
        useSetupAction({
            getLocalState: () => ({
                employeeId: this.data?.employee?.id,
                month: this.data?.month.key,
                kpiId: this.state.selectedKpiId,
            }),
        });
        const params = actionParams(this.props.action);
        const start = this.props.state || {
            employeeId: toInt(params.employee_id),
            month: params.month,
            kpiId: toInt(params.kpi_id),
        };
        this.wantedKpiId = start.kpiId;
        this.screen = useKpiScreen({
            load: (kwargs) =>
                this.orm.call("olimp.kpi.scorecard", "get_screen_data", [], kwargs),
            params: {
                employee_id: start.employeeId || false,
                month: start.month || false,
            },
            isEmpty: (data) => !data.scorecard,
            onLoaded: (data) => this.onLoaded(data),
            live: true,
        });
        // On a phone, the details of the row tapped open under it: the row goes to the top of the screen.
        this.detailsRef = useRef("details");
        onPatched(() => {
            if (this.scrollToDetails && this.detailsRef.el) {
                this.scrollToDetails = false;
                const row = this.detailsRef.el.closest("tr").previousElementSibling;
                row.scrollIntoView({behavior: "smooth", block: "start"});
            }
        });
    }

    // -- data ------------------------------------------------------------------------------------------------
    onLoaded(data) {
        const wanted = this.wantedKpiId || this.state.selectedKpiId;
        this.wantedKpiId = null;
        // On a desktop a row is always selected, its details below the table; on a phone the rows stay folded
        // until one is tapped (or was asked for, e.g. from the team board).
        const line =
            data.lines.find((item) => item.kpi_id[0] === wanted) ||
            (this.env.isSmall ? null : data.lines[0]);
        this.state.selectedKpiId = line ? line.kpi_id[0] : null;
        // The employee shown stays when the month changes (the server chose one when none was asked for).
        this.screen.params.employee_id = data.employee ? data.employee.id : false;
        this.env.config.setDisplayName?.(
            data.employee ? data.employee.name : this.props.action.name
        );
        this.props.updateActionState?.({
            employee_id: data.employee ? data.employee.id : undefined,
            month: data.month.key,
        });
    }

    reload() {
        return this.screen.reload();
    }

    get data() {
        return this.screen.data;
    }

    get scorecard() {
        return this.data.scorecard;
    }

    get selectedLine() {
        return this.data.lines.find(
            (line) => line.kpi_id[0] === this.state.selectedKpiId
        );
    }

    get emptyTitle() {
        const month = this.data.month.label;
        return this.data.employee
            ? _t("No scorecard for %(employee)s in %(month)s", {
                  employee: this.data.employee.name,
                  month,
              })
            : _t("No scorecard in %s", month);
    }

    get previousEfficiency() {
        return _t(
            "Previous month: %s",
            formatPercent(this.scorecard.previous_efficiency)
        );
    }

    /** Which comparison the arrows make: like with like while the month runs, whole months once it is over. */
    get trendBasisNote() {
        const card = this.scorecard;
        if (card.trend_basis === "prorated") {
            return _t(
                "Month so far: counts and sums are compared with the previous month pro-rated to the working days elapsed (%(elapsed)s of %(total)s); balances, ratios and checklists with the previous month's figure.",
                {elapsed: card.elapsed_working_days, total: card.working_days}
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
                ? _t(
                      "the previous month pro-rated to the working days elapsed (%s)",
                      this.value(line, "trend_reference")
                  )
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
        return {yes: _t("Yes"), no: _t("No")}[answer.value] || _t("Not answered");
    }

    // -- navigation ------------------------------------------------------------------------------------------
    selectLine(line) {
        this.state.selectedKpiId = line.kpi_id[0];
        this.scrollToDetails = this.env.isSmall;
    }

    onRowClick(line) {
        if (this.env.isSmall && this.state.selectedKpiId === line.kpi_id[0]) {
            // Tapped again on a phone: its details fold.
            this.state.selectedKpiId = null;
            return;
        }
        this.selectLine(line);
    }

    onTableKeydown(ev) {
        const step = {ArrowDown: 1, ArrowUp: -1}[ev.key];
        if (!step) {
            return;
        }
        ev.preventDefault();
        const lines = this.data.lines;
        const index = lines.findIndex(
            (line) => line.kpi_id[0] === this.state.selectedKpiId
        );
        const next = lines[Math.min(lines.length - 1, Math.max(0, index + step))];
        if (next) {
            this.selectLine(next);
        }
    }

    onEmployeeChange(ev) {
        return this.screen.load({employee_id: toInt(ev.target.value)});
    }

    // -- actions ---------------------------------------------------------------------------------------------
    async run(work) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await work();
        } finally {
            this.state.busy = false;
        }
    }

    onRefresh() {
        return this.run(async () => {
            await this.screen.refresh();
            if (!this.data.freshness?.error) {
                this.notification.add(_t("The actuals were collected again."), {
                    type: "success",
                });
            }
        });
    }

    async openRecords(line, denominator = false) {
        const method = denominator
            ? "action_open_denominator_records"
            : "action_open_records";
        const action = await this.orm.call("olimp.kpi.scorecard.line", method, [
            [line.id],
        ]);
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

    /** The printed scorecard (A4 PDF) of the card shown, for the monthly review. */
    printScorecard() {
        return this.action.doAction("olimp_kpi.action_report_scorecard", {
            additionalContext: {
                active_model: "olimp.kpi.scorecard",
                active_id: this.scorecard.id,
                active_ids: [this.scorecard.id],
            },
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
        // An answer changes only on purpose: clearing it is its own button.
        if (answer.value === value) {
            return;
        }
        return this.run(async () => {
            await this.orm.write("olimp.kpi.scorecard.answer", [answer.id], {value});
            await this.reload();
        });
    }

    clearAnswer(answer) {
        return this.run(async () => {
            await this.orm.call("olimp.kpi.scorecard.answer", "action_clear", [
                [answer.id],
            ]);
            await this.reload();
        });
    }
}

registry
    .category("actions")
    .add("olimp_kpi.scorecard_screen", ScorecardScreen, {force: true});
