import {registry} from "@web/core/registry";

/*
 * The scorecard screen and the team board on a phone (390 × 844, a touch screen), as the salesperson Irina Petrova
 * of the demo data. Her card's figures are stale and she confirmed an order of 30,000 since: the screen refreshes
 * them itself, so her sales row shows 521,970 of 500,000, green. Started by olimp_kpi/tests/test_ui_phone.py.
 */
const SALES_ROW = ".o_olimp_row[data-kpi-code=SALES]";
const IRINA = "[data-employee-name='Irina Petrova']";

/** Fails the tour when the page, or the element of the step, goes beyond the screen's width. */
function fitsTheScreen() {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width) {
        throw new Error(
            `The page scrolls sideways: ${document.documentElement.scrollWidth}px on a ${width}px screen`
        );
    }
    const box = this.anchor.getBoundingClientRect();
    if (box.left < 0 || box.right > width) {
        throw new Error(
            `${this.anchor.className} is off screen: ${box.left}px to ${box.right}px on a ${width}px screen`
        );
    }
}

/** Fails the tour unless the element of the step stays in place when its table scrolls sideways. */
function staysInView() {
    const wrapper = this.anchor.closest(".o_olimp_board_wrapper");
    if (wrapper.scrollWidth <= wrapper.clientWidth) {
        throw new Error(
            "The board fits the screen: nothing to scroll, nothing to check"
        );
    }
    const before = this.anchor.getBoundingClientRect().left;
    wrapper.scrollLeft = wrapper.scrollWidth;
    const after = this.anchor.getBoundingClientRect().left;
    wrapper.scrollLeft = 0;
    // A pixel or two: the sticky cell covers the collapsed border once the columns scroll.
    if (Math.abs(after - before) > 2) {
        throw new Error(
            `${this.anchor.className} moved from ${before}px to ${after}px`
        );
    }
}

registry.category("web_tour.tours").add("olimp_kpi_screens_phone", {
    url: "/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action",
    steps: () => [
        // -- the scorecard screen ----------------------------------------------------------------------------
        {
            content:
                "Her stale figures were refreshed on opening: the new order counts",
            trigger: `${SALES_ROW}[data-target='500000'][data-actual='521970']`,
        },
        {
            content: "and the screen says so",
            trigger:
                ".o_olimp_freshness[data-stale=false]:contains(Refreshed just now)",
        },
        {
            content: "Sales: green now, upward trend",
            trigger: `${SALES_ROW} .o_olimp_zone_green`,
        },
        {
            trigger: `${SALES_ROW} .o_olimp_trend_up`,
        },
        // Each figure in view, with its label, nothing cut off on the right.
        ...["o_olimp_target", "o_olimp_actual", "o_olimp_completion"].map((cell) => ({
            content: `Sales row: ${cell} labelled, on screen`,
            trigger: `${SALES_ROW} .${cell} .o_olimp_cell_label`,
            run: fitsTheScreen,
        })),
        ...["o_olimp_trend_cell", "o_olimp_weight", "o_olimp_score"].map((cell) => ({
            content: `Sales row: ${cell} labelled, on screen`,
            trigger: `${SALES_ROW} .${cell} .o_olimp_cell_label`,
            run: fitsTheScreen,
        })),
        {
            content: "Sales row: the score itself on screen",
            trigger: `${SALES_ROW} .o_olimp_score:contains(100)`,
            run: fitsTheScreen,
        },
        {
            content: "The buttons are in the page, with their labels",
            trigger: ".o_olimp_phone_buttons .o_olimp_refresh:contains(Refresh)",
            run: fitsTheScreen,
        },
        {
            content: "and no unlabelled caret in the control panel",
            trigger:
                ".o_olimp_scorecard_screen:not(:has(.o_control_panel_collapsed_create:visible))",
        },
        {
            content: "The rows are folded: no details yet",
            trigger: ".o_olimp_scorecard_screen:not(:has(.o_olimp_details))",
        },
        {
            content: "Tap the sales row",
            trigger: SALES_ROW,
            run: "click",
        },
        {
            content: "Its details open under it",
            trigger: `${SALES_ROW} + .o_olimp_row_details .o_olimp_details[data-kpi-code=SALES] .o_olimp_verdict:contains(Green zone)`,
            run: fitsTheScreen,
        },
        {
            content: "The previous months fit the screen",
            trigger: ".o_olimp_details[data-kpi-code=SALES] .o_olimp_history_svg",
            run: fitsTheScreen,
        },
        {
            content: "Tap it again: folded",
            trigger: SALES_ROW,
            run: "click",
        },
        {
            trigger: ".o_olimp_scorecard_screen:not(:has(.o_olimp_details))",
        },
        {
            content: "Refresh by hand",
            trigger: ".o_olimp_phone_buttons .o_olimp_refresh",
            run: "click",
        },
        {
            content: "Collected again",
            trigger: ".o_notification:contains(The actuals were collected again)",
        },
        // -- the team board ----------------------------------------------------------------------------------
        {
            content: "The team board opened by its address",
            trigger: "body",
            run: "goToUrl /odoo/action-olimp_kpi.olimp_kpi_team_board_action",
        },
        {
            content: "shows her row only (a salesperson reads only her own card)",
            trigger: `.o_olimp_board:not(:has(.o_olimp_board_row:not(${IRINA})))`,
        },
        {
            content: "Her name stays in view when the KPI columns scroll",
            trigger: `.o_olimp_board_row${IRINA} .o_olimp_board_employee`,
            run: staysInView,
        },
        {
            content: "and so does her efficiency",
            trigger: `.o_olimp_board_row${IRINA} .o_olimp_board_efficiency`,
            run: staysInView,
        },
        {
            content: "The board's Refresh button is in the page, with its label",
            trigger: ".o_olimp_board_toolbar .o_olimp_refresh:contains(Refresh)",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(The actuals were collected again)",
        },
    ],
});
