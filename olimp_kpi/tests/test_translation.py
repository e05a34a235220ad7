from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MONTH, TODAY, OlimpKpiCase


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestTranslation(OlimpKpiCase):
    """The scorecard in Russian: field labels, zones, the default KPI catalogue, errors, views and the screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["olimp_kpi"], ["ru_RU"], overwrite=True)
        cls.env_ru = cls.env(context=dict(cls.env.context, lang="ru_RU"))

    def test_scorecard_line_labels(self):
        fields = self.env_ru["olimp.kpi.scorecard.line"].fields_get(
            ["kpi_id", "target", "actual", "previous_actual", "completion", "zone", "trend", "weight", "score"],
            ["string", "selection"],
        )
        self.assertEqual(
            {name: field["string"] for name, field in fields.items()},
            {
                "kpi_id": "KPI",
                "target": "План",
                "actual": "Факт",
                "previous_actual": "Предыдущий месяц",
                "completion": "Выполнение (%)",
                "zone": "Зона",
                "trend": "Тренд",
                "weight": "Вес",
                "score": "Оценка",
            },
        )
        self.assertEqual(
            dict(fields["zone"]["selection"]),
            {"red": "Красная", "yellow": "Жёлтая", "green": "Зелёная", "none": "Нет плана"},
        )
        self.assertEqual(dict(fields["trend"]["selection"])["up"], "↑ Рост")
        efficiency = self.env_ru["olimp.kpi.scorecard"].fields_get(["efficiency"], ["string"])["efficiency"]
        self.assertEqual(efficiency["string"], "Эфф. (%)")

    def test_default_catalogue(self):
        names = {
            "olimp_kpi.kpi_sales_amount": "Сумма продаж",
            "olimp_kpi.kpi_meetings": "Количество проведённых встреч",
            "olimp_kpi.kpi_new_opportunities": "Количество новых проектов продаж",
            "olimp_kpi.kpi_receivables": "Дебиторская задолженность",
            "olimp_kpi.kpi_meeting_plan": "Наличие плана-графика встреч",
            "olimp_kpi.kpi_passport_protocols": "Наличие актуального паспорта клиента и протокола встречи",
        }
        for xmlid, name in names.items():
            self.assertEqual(self.env_ru.ref(xmlid).name, name, xmlid)
        self.assertEqual(self.env.ref("olimp_kpi.kpi_sales_amount").name, "Sales amount", "English stays English")
        questions = self.env_ru.ref("olimp_kpi.kpi_passport_protocols").checklist_item_ids.mapped("name")
        self.assertIn("Паспорта клиентов актуальны", questions)

    def test_error_message(self):
        kpi = self._kpi("RU_ZONES")
        with self.assertRaises(ValidationError) as caught:
            kpi.with_env(self.env_ru).write({"yellow_from": 90, "green_from": 80})
        message = str(caught.exception)
        self.assertIn("жёлтая зона должна начинаться не выше зелёной", message)
        self.assertIn("(жёлтая от 90", message)

    def test_scorecard_form_view(self):
        arch = self.env_ru["olimp.kpi.scorecard"].get_views([(False, "form")])["views"]["form"]["arch"]
        for label in ("Обновить", "Закрыть месяц", "Анализ показателей", 'string="План"', "Чек-лист", "Заметки"):
            self.assertIn(label, arch)
        for english in ("Close Month", "KPI Analysis", "Notes"):
            self.assertNotIn(english, arch)

    def test_menus(self):
        self.assertEqual(self.env_ru.ref("olimp_kpi.olimp_kpi_scorecard_screen_menu").name, "Моя карта показателей")
        self.assertEqual(self.env_ru.ref("olimp_kpi.olimp_kpi_team_board_menu").name, "Доска команды")

    def test_scorecard_screen(self):
        sales = self.env.ref("olimp_kpi.kpi_sales_amount")
        self.employee_a.olimp_kpi_profile_id = self._profile("RU", [(sales, 500000, 1)])
        self.Scorecard.generate(MONTH, self.employee_a).action_refresh()
        data = self.Scorecard.with_user(self.user_a).with_context(lang="ru_RU").get_screen_data(month=MONTH)
        (line,) = data["lines"]
        self.assertEqual(line["name"], "Сумма продаж")
        self.assertEqual(data["labels"]["zone"]["red"], "Красная")
        self.assertIn("Чем больше, тем лучше: выполнение = факт ÷ план.", line["definition"])
        self.assertIn("запись засчитывается по полю", line["definition"])
