"""The fields of a scorecard line are declared once: the ORM side (models, their computations) and the batch side
(the refresh's SELECT and UPDATEs) must never disagree on them."""

from freezegun import freeze_time

from ..services import scorecard_refresh
from ..services.line_fields import JUDGED_FIELDS, KPI_SNAPSHOT_FIELDS, PLAN_FIELDS
from .common import MONTH, TODAY, OlimpKpiCase

# The PostgreSQL type of each array the refresh writes, by the ORM's column type of the field it writes.
COLUMN_TYPES = {
    "float8": {"float8", "numeric"},
    "varchar": {"varchar"},
    "bool": {"bool"},
    "date": {"date"},
    "int4": {"int4"},
}


class TestLineFields(OlimpKpiCase):
    def _fields(self, model):
        return self.env[model]._fields

    def test_what_the_refresh_reads_and_writes_are_stored_fields_of_the_line(self):
        line_fields = self._fields("olimp.kpi.scorecard.line")
        for name in scorecard_refresh.LINE_INPUTS:
            self.assertTrue(line_fields[name].store and line_fields[name].column_type, name)
        for name, kind in scorecard_refresh.LINE_RESULTS:
            field = line_fields[name]
            self.assertTrue(field.store, name)
            self.assertIn(field.column_type[0], COLUMN_TYPES[kind], f"{name}: written as {kind}")
        card_fields = self._fields("olimp.kpi.scorecard")
        for name, kind in scorecard_refresh.SCORECARD_RESULTS:
            self.assertIn(card_fields[name].column_type[0], COLUMN_TYPES[kind], f"scorecard {name}: written as {kind}")
        for name in scorecard_refresh.RECORD_FIELDS:
            self.assertTrue(line_fields[name].store, name)

    def test_the_orm_computes_results_from_what_the_refresh_reads(self):
        """Every field the ORM's zone, score and trend depend on is read or written by the refresh, and every
        stored result the ORM computes is written by it: a field added to one side only fails here."""
        Line = self.env["olimp.kpi.scorecard.line"]
        batch = set(scorecard_refresh.LINE_INPUTS) | set(scorecard_refresh.LINE_RESULT_FIELDS)
        registry = self.env.registry
        computed = [
            field
            for field in Line._fields.values()
            if field.store and field.compute in ("_compute_result", "_compute_trend")
        ]
        self.assertEqual({field.name for field in computed}, {"completion", "zone", "score", "trend"})
        for field in computed:
            self.assertIn(field.name, batch, f"{field.name} is computed by the ORM but not written by the refresh")
            for dependency in registry.field_depends[field]:
                self.assertIn(dependency, batch, f"{field.name} depends on {dependency}, which the refresh ignores")
        self.assertTrue(set(JUDGED_FIELDS) <= set(scorecard_refresh.LINE_INPUTS))

    def test_snapshot_and_plan_fields_are_the_same_on_every_side(self):
        kpi, line, profile_line = (
            self._fields("olimp.kpi"),
            self._fields("olimp.kpi.scorecard.line"),
            self._fields("olimp.kpi.profile.line"),
        )
        for name in KPI_SNAPSHOT_FIELDS:
            self.assertEqual(kpi[name].type, line[name].type, name)
            if kpi[name].type == "selection":
                self.assertEqual(kpi[name].selection, line[name].selection, name)
        for name in PLAN_FIELDS:
            self.assertEqual(line[name].type, profile_line[name].type, name)
        self.assertEqual(
            self.env["olimp.kpi.scorecard.line"].default_get(list(PLAN_FIELDS)),
            self.env["olimp.kpi.profile.line"].default_get(list(PLAN_FIELDS)),
        )
        constraints = {name for name, __, __ in self.env["olimp.kpi.line.plan"]._sql_constraints}
        for model in ("olimp.kpi.scorecard.line", "olimp.kpi.profile.line"):
            self.assertTrue(constraints <= {name for name, __, __ in self.env[model]._sql_constraints}, model)

    @freeze_time(TODAY)
    def test_a_generated_line_and_a_line_added_by_hand_hold_the_same_snapshot(self):
        kpi = self._kpi("LINE_SNAP", yellow_from=70, green_from=90, direction="lower", unit="amount")
        other = self._kpi("LINE_OTHER")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 40, 2, 10, 120), (other, 1, 1)])
        scorecard = self._scorecard(self.employee_a)
        generated = self._line(scorecard, kpi)
        profile_line = self.employee_a.olimp_kpi_profile_id.line_ids.filtered(lambda ln: ln.kpi_id == kpi)
        for name in KPI_SNAPSHOT_FIELDS:
            self.assertEqual(generated[name], kpi[name], name)
        for name in PLAN_FIELDS:
            self.assertEqual(generated[name], profile_line[name], name)
        generated.unlink()
        by_hand = self.env["olimp.kpi.scorecard.line"].create({"scorecard_id": scorecard.id, "kpi_id": kpi.id})
        for name in KPI_SNAPSHOT_FIELDS:
            self.assertEqual(by_hand[name], kpi[name], name)
        # The batch and the ORM judge the line alike.
        self._lead(self.user_a, MONTH, revenue=0)
        by_hand.target = 4
        scorecard.action_refresh()
        batch = (by_hand.completion, by_hand.zone, by_hand.score, by_hand.trend)
        by_hand._compute_result()
        by_hand._compute_trend()
        self.assertEqual((by_hand.completion, by_hand.zone, by_hand.score, by_hand.trend), batch)
