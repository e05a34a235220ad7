import {_t} from "@web/core/l10n/translation";
import {loadBundle} from "@web/core/assets";
import {registry} from "@web/core/registry";

/**
 * The KPI screens (scorecard screen, team board, plan grid) live in their own bundle, loaded the first time one of
 * them opens: only this loader is part of every backend page. The bundle registers the real client actions under
 * the same tags with `force: true`, so the loader just loads it and runs the action again (as Odoo's spreadsheet
 * does).
 */
export const SCREENS_BUNDLE = "olimp_kpi.assets_screens";
export const SCREEN_TAGS = [
    "olimp_kpi.scorecard_screen",
    "olimp_kpi.team_board",
    "olimp_kpi.plan_grid",
];

const actionRegistry = registry.category("actions");

function addLazyScreen(tag) {
    const loader = async (env, action) => {
        await loadBundle(SCREENS_BUNDLE);
        if (actionRegistry.get(tag) === loader) {
            // The bundle did not replace the loader (it failed to load): say so rather than loop.
            actionRegistry.add(
                tag,
                () => {
                    env.services.notification.add(
                        _t("This KPI screen could not be loaded."),
                        {
                            type: "danger",
                        }
                    );
                },
                {force: true}
            );
        }
        return action;
    };
    actionRegistry.add(tag, loader);
}

for (const tag of SCREEN_TAGS) {
    addLazyScreen(tag);
}
