import {registry} from "@web/core/registry";

/*
 * The plan grid as a team leader uses it, on the demo team (started by olimp_kpi/tests/test_plan_grid_ui.py):
 * the year of one KPI, numbers typed as people type them, an emptied cell, a year copied forward with +5 %, and
 * the same grid on a phone.
 */
const IRINA = ".o_olimp_plan_row[data-employee-name='Irina Petrova']";
// The tours plan next year, whose months are all open: the cells are those of that year, once it is shown.
const THIS_YEAR = new Date().getFullYear();
const JANUARY = `${IRINA} .o_olimp_plan_cell[data-month='${THIS_YEAR + 1}-01-01']`;
const FEBRUARY = `${IRINA} .o_olimp_plan_cell[data-month='${THIS_YEAR + 1}-02-01']`;
const DECEMBER = `${IRINA} .o_olimp_plan_cell[data-month='${THIS_YEAR + 1}-12-01']`;

function typeIn(cell, text) {
    return [
        {
            content: `Type “${text}”`,
            trigger: `${cell} input.o_olimp_plan_input`,
            run: `edit ${text}`,
        },
        {trigger: `${cell} input.o_olimp_plan_input`, run: "press Enter"},
    ];
}

registry.category("web_tour.tours").add("olimp_kpi_plan_grid", {
    steps: () => [
        {
            content: "The plan grid opens on the KPIs of the month",
            trigger: ".o_olimp_plan_grid .o_olimp_mode_kpis.active",
        },
        {
            content: "The year of a KPI",
            trigger: ".o_olimp_mode_year",
            run: "click",
        },
        {
            trigger: "select.o_olimp_kpi_select",
            run: "selectByLabel Sales amount",
        },
        {
            content: "Twelve months, employees in rows",
            trigger: ".o_olimp_plans_year thead th:nth-child(13)",
        },
        {
            content: "Next year: every month can be planned",
            trigger: ".o_olimp_month_next",
            run: "click",
        },
        {
            trigger: `${JANUARY}.o_olimp_plan_source_profile input.o_olimp_plan_input`,
        },
        ...typeIn(JANUARY, "1,5"),
        {
            content: "“1,5” is refused in English rather than read as 15",
            trigger: `${JANUARY} .o_olimp_plan_error:contains(not a number in your language)`,
        },
        ...typeIn(JANUARY, "1e3"),
        {
            content: "and scientific notation too",
            trigger: `${JANUARY} .o_olimp_plan_error:contains(scientific notation)`,
        },
        ...typeIn(JANUARY, "600,000"),
        {
            content: "A plan that makes sense is saved",
            trigger: `${JANUARY}[data-plan='600000'] .o_olimp_saved`,
        },
        {
            content: "Empty a cell",
            trigger: `${FEBRUARY} input.o_olimp_plan_input`,
            run() {
                const input = document.querySelector(
                    `${FEBRUARY} input.o_olimp_plan_input`
                );
                input.value = "";
                input.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "An emptied cell asks first",
            trigger: ".modal .btn-primary:contains(No plan)",
            run: "click",
        },
        {
            content: "then it has no plan",
            trigger: `${FEBRUARY}[data-plan='0'] .o_olimp_saved`,
        },
        {
            content: "Back to this year",
            trigger: ".o_olimp_month_previous",
            run: "click",
        },
        {
            trigger: `${IRINA} .o_olimp_plan_cell[data-month='${THIS_YEAR}-01-01']`,
        },
        {
            content: "Copy the year forward",
            trigger: ".o_olimp_copy_year",
            run: "click",
        },
        {
            content: "with 5 % more",
            trigger: ".modal input.o_olimp_copy_percent",
            run: "edit 5",
        },
        {
            trigger: ".modal .o_olimp_copy_year_apply",
            run: "click",
        },
        {
            content: "The notification counts what was copied",
            trigger: ".o_notification:contains(plans copied)",
        },
        {
            content: "Next year's January: this year's 500,000 and 5 %",
            trigger: `${JANUARY}[data-plan='525000']`,
        },
    ],
});

registry.category("web_tour.tours").add("olimp_kpi_plan_grid_phone", {
    steps: () => [
        {
            content: "On a phone: the year of a KPI",
            trigger: ".o_olimp_plan_grid .o_olimp_mode_year.active",
        },
        {
            content: "The buttons say what they do",
            trigger: ".o_olimp_copy_year:contains(Copy Year Forward)",
        },
        {
            trigger: ".o_olimp_fill_year:contains(Fill from Profile)",
        },
        {
            trigger: ".o_olimp_import_plans:contains(Import)",
        },
        {
            content: "Next year",
            trigger: ".o_olimp_month_next",
            run: "click",
        },
        {
            content:
                "December is far to the right: typing in it keeps the employee's name in view",
            trigger: `${DECEMBER} input.o_olimp_plan_input`,
            run() {
                const input = document.querySelector(
                    `${DECEMBER} input.o_olimp_plan_input`
                );
                input.focus();
                const name = document
                    .querySelector(`${IRINA} .o_olimp_plan_employee`)
                    .getBoundingClientRect();
                const box = input.getBoundingClientRect();
                if (
                    name.left < 0 ||
                    name.right > box.left + 1 ||
                    box.right > window.innerWidth + 1
                ) {
                    throw new Error(
                        `name ${name.left}-${name.right}, input ${box.left}-${box.right}, width ${window.innerWidth}`
                    );
                }
            },
        },
        ...typeIn(DECEMBER, "700000"),
        {
            content: "Saved",
            trigger: `${DECEMBER}[data-plan='700000'] .o_olimp_saved`,
        },
    ],
});
