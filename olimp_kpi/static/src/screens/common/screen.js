import {
    Component,
    onMounted,
    onWillStart,
    onWillUnmount,
    useExternalListener,
    useState,
} from "@odoo/owl";
import {describeFreshness, isStale} from "./freshness";
import {browser} from "@web/core/browser/browser";
import {monthNavigation} from "./month";

const {DateTime} = luxon;

/** How often an open screen looks at the age of its figures (and updates "Refreshed 5 minutes ago"). */
export const FRESHNESS_TICK = 30000;

/** The default navigation of a screen: month by month, around the month of the server's answer. */
function monthsAround(data) {
    return {
        label: data.month.label,
        ...monthNavigation(data.month.key, data.current_month),
    };
}

/** The state and the loads of one screen: see useKpiScreen. */
export class KpiScreen {
    constructor({
        load,
        params = {},
        isEmpty = () => false,
        onLoaded = () => null,
        navigation = monthsAround,
        onLimit = () => null,
        live = false,
    }) {
        this.loader = load;
        this.params = {...params};
        this.isEmptyData = isEmpty;
        this.onLoaded = onLoaded;
        this.navigation = navigation;
        this.onLimit = onLimit;
        this.live = live;
        this.state = useState({
            data: null,
            loading: false,
            refreshing: false,
            now: DateTime.now(),
        });
        this.loadCount = 0;
        this.lastAutoRefresh = null;
    }

    get data() {
        return this.state.data;
    }

    get isEmpty() {
        return Boolean(this.data) && this.isEmptyData(this.data);
    }

    /**
     * Load with `changes` merged into the parameters; `refresh`: "stale" (the default of live screens) or "all".
     *
     * @param {Object} [changes]
     * @param {{refresh: String}} [options]
     * @returns {Promise}
     */
    async load(changes = {}, {refresh = "stale"} = {}) {
        Object.assign(this.params, changes);
        const loadId = ++this.loadCount;
        this.state.loading = true;
        try {
            const params = this.live ? {...this.params, refresh} : {...this.params};
            const data = await this.loader(params);
            if (loadId !== this.loadCount) {
                return;
            }
            this.params.month = data.month.key;
            this.state.now = DateTime.now();
            this.onLoaded(data);
            this.state.data = data;
        } finally {
            if (loadId === this.loadCount) {
                this.state.loading = false;
            }
        }
    }

    reload() {
        return this.load();
    }

    /** Collect the figures shown again, fresh or not (the Refresh button of live screens). */
    async refresh() {
        this.state.refreshing = true;
        try {
            await this.load({}, {refresh: "all"});
        } finally {
            this.state.refreshing = false;
        }
    }

    switchMonth(month) {
        return this.load({month});
    }

    /** Props of the MonthSwitcher: where the screen's navigation goes from the data shown. */
    get monthSwitcher() {
        const data = this.data;
        const months = this.navigation(data);
        // No month that way (false): the screen says why instead of loading.
        const go = (month) => (month ? this.switchMonth(month) : this.onLimit(data));
        return {
            label: months.label,
            isCurrent: months.isCurrent,
            onPrevious: () => go(months.previous),
            onNext: () => go(months.next),
            onCurrent: () => go(months.current),
        };
    }

    get freshness() {
        return this.data && describeFreshness(this.data.freshness, this.state.now);
    }

    get isStale() {
        return Boolean(this.data) && isStale(this.data.freshness, this.state.now);
    }

    /**
     * Every half minute and when the page shows again: update the age shown, and reload stale figures (at most
     * once per staleness period, so that figures that cannot be refreshed, e.g. for want of an exchange rate, are
     * not asked for again and again).
     */
    tick() {
        if (document.hidden || !this.data) {
            return;
        }
        const now = DateTime.now();
        this.state.now = now;
        if (this.state.loading || !this.isStale) {
            return;
        }
        const period = this.data.freshness.stale_after_minutes;
        if (
            this.lastAutoRefresh &&
            now.diff(this.lastAutoRefresh, "minutes").minutes < period
        ) {
            return;
        }
        this.lastAutoRefresh = now;
        return this.load();
    }
}

/**
 * The skeleton the KPI screens share: load the data before the first render, reload it with other parameters
 * (month, employee, team...), move between months, tell an empty month, and keep the figures live.
 *
 * How a screen adopts it (the team board does so):
 *
 *     this.screen = useKpiScreen({
 *         load: (params) => this.orm.call("olimp.kpi.scorecard", "get_team_board", [], params),
 *         params: {month: false, team_id: false, company_id: false},
 *         isEmpty: (data) => !data.rows.length,
 *         onLoaded: (data) => this.props.updateActionState?.({month: data.month.key}),
 *     });
 *
 * then `this.screen.data` is the server's answer (null until the first load), `this.screen.load({team_id: 7})`
 * reloads with changed parameters (kept for the next loads; `month` follows the month the server answered),
 * `this.screen.reload()` reloads as they are, and in the template:
 *
 *     <MonthSwitcher t-props="screen.monthSwitcher"/>
 *     <ScreenEmpty t-if="screen.isEmpty" icon="'fa-table'" title="emptyTitle"/>
 *
 * The server's answer must have `month: {key, label}` and `current_month` (see ScorecardScreens._navigation).
 * The month switcher goes month by month from there; a screen that moves otherwise gives its own `navigation`:
 * the plan grid's goes a year at a time in its year layout and stops at the last month that can be planned
 * (see planGridNavigation), a month `false` meaning "no further", where `onLimit` tells the user why.
 * With `live: true` the server method must also take `refresh` ("stale" or "all") and answer `freshness` (see
 * ScorecardScreens._refresh): every load then asks for the stale figures to be refreshed first, the screen looks
 * at their age every half minute while it is visible (and when it becomes visible again) and reloads them once
 * they are stale, `screen.refresh()` refreshes them all (a Refresh button), and `<FiguresFreshness
 * screen="screen"/>` says how old they are. An answer that comes after a newer load was asked is dropped.
 *
 * @param {Object} options
 * @param {Function} options.load params => Promise of the data
 * @param {Object} [options.params] the first parameters
 * @param {Function} [options.isEmpty] data => Boolean
 * @param {Function} [options.onLoaded] data => void, after each load, before the screen renders it
 * @param {Function} [options.navigation] data => {label, previous, next, current, isCurrent}, the months (keys,
 *     or false for none) the month switcher goes to; month by month by default
 * @param {Function} [options.onLimit] data => void, when the month switcher is used towards a month false
 * @param {Boolean} [options.live]
 * @returns {KpiScreen}
 */
export function useKpiScreen(options) {
    const screen = new KpiScreen(options);
    onWillStart(() => screen.load());
    if (options.live) {
        const tick = () => screen.tick();
        let timer = null;
        onMounted(() => {
            timer = browser.setInterval(tick, FRESHNESS_TICK);
        });
        onWillUnmount(() => browser.clearInterval(timer));
        useExternalListener(document, "visibilitychange", tick);
    }
    return screen;
}

/**
 * The empty month of a screen: an icon, what is missing, and what fills it: when scorecards are made, unless the
 * screen says otherwise in the default slot (the plan grid: employees need a KPI profile).
 */
export class ScreenEmpty extends Component {
    static template = "olimp_kpi.ScreenEmpty";
    static props = {
        icon: String,
        title: String,
        slots: {type: Object, optional: true},
    };
}

/** "Refreshed 5 minutes ago" (or "Refreshing…"), and why figures could not be refreshed. */
export class FiguresFreshness extends Component {
    static template = "olimp_kpi.FiguresFreshness";
    static props = {
        screen: Object,
    };
}
