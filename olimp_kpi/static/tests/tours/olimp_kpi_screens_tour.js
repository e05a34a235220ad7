import {registry} from "@web/core/registry";

/*
 * The KPI screens in a real browser, on the article's demo case: Irina Petrova's sales plan is 500,000 and her
 * actual 491,970, so the sales row is red with an upward trend (the previous month was 420,500).
 * Started by olimp_kpi/tests/test_ui.py.
 */
const SALES_ROW = ".o_olimp_row[data-kpi-code=SALES]";
const IRINA = "[data-employee-name='Irina Petrova']";
const FIRST_ANSWER =
    ".o_olimp_details[data-kpi-code=INFO_MATERIAL] .o_olimp_answer:first-child";
const IRINA_SALES_PLAN = `.o_olimp_plan_row${IRINA} .o_olimp_plan_cell[data-kpi-code=SALES]`;

registry.category("web_tour.tours").add("olimp_kpi_screens", {
    url: "/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action",
    steps: () => [
        // -- the scorecard screen ----------------------------------------------------------------------------
        {
            content:
                "The scorecard screen shows a card: a team leader may choose whose",
            trigger: ".o_olimp_scorecard_screen .o_olimp_row",
        },
        {
            content: "Choose Irina Petrova",
            trigger: "select.o_olimp_employee_select",
            run: "selectByLabel Irina Petrova",
        },
        {
            content: "Her card is shown",
            trigger: ".o_olimp_employee_name:contains(Irina Petrova)",
        },
        {
            content: "Sales: plan 500,000, actual 491,970",
            trigger: `${SALES_ROW}[data-target='500000'][data-actual='491970']`,
        },
        {
            content: "Sales: red zone, the plan is not met",
            trigger: `${SALES_ROW} .o_olimp_zone_red`,
        },
        {
            content:
                "Sales: upward trend against the previous month, which is good news",
            trigger: `${SALES_ROW} .o_olimp_trend_up.text-success`,
        },
        {
            content: "Put the cursor on the sales row",
            trigger: SALES_ROW,
            run: "click",
        },
        {
            content: "The row is selected",
            trigger: `${SALES_ROW}.o_olimp_row_selected`,
        },
        {
            content: "Its details: the verdict of the article",
            trigger:
                ".o_olimp_details[data-kpi-code=SALES] .o_olimp_verdict:contains(Red zone):contains(positive trend)",
        },
        {
            content: "Its details: the rule",
            trigger:
                ".o_olimp_details[data-kpi-code=SALES] .o_olimp_definition:contains(Sales Order)",
        },
        {
            content: "Its details: the previous months, this one and the one before",
            trigger:
                ".o_olimp_details[data-kpi-code=SALES] .o_olimp_history_bar.o_olimp_fill_red",
        },
        {
            content: "Its details: the way to the orders behind the actual",
            trigger: ".o_olimp_details[data-kpi-code=SALES] .o_olimp_open_records",
        },
        {
            content: "A checklist KPI",
            trigger: ".o_olimp_row[data-kpi-code=INFO_MATERIAL]",
            run: "click",
        },
        {
            content: "shows the checklist answers",
            trigger:
                ".o_olimp_details[data-kpi-code=INFO_MATERIAL] .o_olimp_answer[data-value=yes]",
        },
        {
            content:
                "Yes again on an answered Yes changes nothing (an answer changes only on purpose)",
            trigger: `${FIRST_ANSWER}[data-value=yes] .o_olimp_answer_yes`,
            run: "click",
        },
        {
            content: "Clearing it is its own button",
            trigger: `${FIRST_ANSWER}[data-value=yes] .o_olimp_answer_clear`,
            run: "click",
        },
        {
            content: "The answer is cleared",
            trigger: `${FIRST_ANSWER}[data-value=none]:not(:has(.o_olimp_answer_clear))`,
        },
        {
            content: "Answered again",
            trigger: `${FIRST_ANSWER}[data-value=none] .o_olimp_answer_yes`,
            run: "click",
        },
        {
            content: "Yes again",
            trigger: `${FIRST_ANSWER}[data-value=yes]`,
        },
        // -- the team board ----------------------------------------------------------------------------------
        {
            content: "Open the team board",
            trigger:
                ".o_main_navbar [data-menu-xmlid='olimp_kpi.olimp_kpi_team_board_menu']",
            run: "click",
        },
        {
            content: "Irina's sales cell is red",
            trigger: `.o_olimp_board_row${IRINA} .o_olimp_board_cell[data-kpi-code=SALES].o_olimp_zone_cell_red`,
        },
        {
            content: "Sort by efficiency",
            trigger: ".o_olimp_board_efficiency_head",
            run: "click",
        },
        {
            content: "Sorted, best first",
            trigger: ".o_olimp_board_efficiency_head[aria-sort=descending]",
        },
        {
            content: "Open her scorecard on the sales KPI",
            trigger: `.o_olimp_board_row${IRINA} .o_olimp_board_cell[data-kpi-code=SALES]`,
            run: "click",
        },
        {
            content: "Her scorecard opens",
            trigger:
                ".o_olimp_scorecard_screen .o_olimp_employee_name:contains(Irina Petrova)",
        },
        {
            content: "with the sales row selected and its details below",
            trigger: `${SALES_ROW}.o_olimp_row_selected`,
        },
        {
            trigger: ".o_olimp_details[data-kpi-code=SALES]",
        },
        // -- the plan grid -----------------------------------------------------------------------------------
        {
            content: "Open the plan grid",
            trigger:
                ".o_main_navbar [data-menu-xmlid='olimp_kpi.olimp_kpi_plan_grid_menu']",
            run: "click",
        },
        {
            content: "Lower Irina's sales plan to 480,000",
            trigger: `${IRINA_SALES_PLAN} input.o_olimp_plan_input`,
            run: "edit 480000",
        },
        {
            trigger: `${IRINA_SALES_PLAN} input.o_olimp_plan_input`,
            run: "press Enter",
        },
        {
            content: "Saved: 491,970 of 480,000 is green",
            trigger: `${IRINA_SALES_PLAN}[data-target='480000'] .o_olimp_saved`,
        },
        {
            trigger: `${IRINA_SALES_PLAN} .o_olimp_zone_green`,
        },
        // -- the scorecard shows the new plan ----------------------------------------------------------------
        {
            content: "Back to the scorecard screen",
            trigger:
                ".o_main_navbar [data-menu-xmlid='olimp_kpi.olimp_kpi_scorecard_screen_menu']",
            run: "click",
        },
        {
            trigger: "select.o_olimp_employee_select",
            run: "selectByLabel Irina Petrova",
        },
        {
            content: "The new plan is in the scorecard, and the sales row is green",
            trigger: `${SALES_ROW}[data-target='480000'] .o_olimp_zone_green`,
        },
    ],
});

registry.category("web_tour.tours").add("olimp_kpi_screens_salesperson", {
    url: "/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action",
    steps: () => [
        {
            content: "A salesperson's scorecard screen shows her own card",
            trigger: ".o_olimp_employee_name:contains(Irina Petrova)",
        },
        {
            content: "and nobody else's to choose from",
            trigger: ".o_olimp_scorecard_screen:not(:has(.o_olimp_employee_select))",
        },
        {
            content: "Sales: red zone, upward trend",
            trigger: `${SALES_ROW} .o_olimp_zone_red`,
        },
        {
            trigger: `${SALES_ROW} .o_olimp_trend_up`,
        },
        {
            content: "No team board nor plan grid in her menu",
            trigger:
                ".o_main_navbar:not(:has([data-menu-xmlid='olimp_kpi.olimp_kpi_team_board_menu'], [data-menu-xmlid='olimp_kpi.olimp_kpi_plan_grid_menu']))",
        },
        {
            content: "A checklist KPI",
            trigger: ".o_olimp_row[data-kpi-code=INFO_MATERIAL]",
            run: "click",
        },
        {
            content: "She reads the answers, she does not answer them",
            trigger:
                ".o_olimp_details[data-kpi-code=INFO_MATERIAL] .o_olimp_answer:not(:has(.o_olimp_answer_yes))",
        },
        {
            content: "The team board opened by its address",
            trigger: "body",
            run: "goToUrl /odoo/action-olimp_kpi.olimp_kpi_team_board_action",
        },
        {
            content: "shows her row",
            trigger: `.o_olimp_board_row${IRINA}`,
        },
        {
            content: "and only hers",
            trigger: `.o_olimp_board:not(:has(.o_olimp_board_row:not(${IRINA})))`,
        },
    ],
});
