from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTranslation(TransactionCase):
    """The post-sale regulation and the customer passport in Russian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["olimp_kpi", "olimp_followup"], ["ru_RU"], overwrite=True)
        cls.env_ru = cls.env(context=dict(cls.env.context, lang="ru_RU"))

    def test_default_regulation(self):
        names = {
            "olimp_followup.rule_feedback": "Получить отзыв о покупке",
            "olimp_followup.rule_support": "Помочь клиенту разобраться с вопросами",
            "olimp_followup.rule_offer": "Информировать о выгодных условиях покупки",
            "olimp_followup.rule_reorder": "Напоминание о повторном заказе",
            "olimp_followup.rule_reactivation": "Вернуть клиента без заказов",
        }
        for xmlid, name in names.items():
            self.assertEqual(self.env_ru.ref(xmlid).name, name, xmlid)
        script = self.env_ru.ref("olimp_followup.rule_feedback").script
        self.assertIn("<strong>Цель:</strong> получить отзыв", script)
        self.assertIn("Насколько вы довольны по шкале от 1 до 5?", script)
        self.assertIn("Goal:", self.env.ref("olimp_followup.rule_feedback").script, "English stays English")

    def test_followup_labels(self):
        fields = self.env_ru["olimp.followup"].fields_get(
            ["state", "task_type", "date_deadline"], ["string", "selection"]
        )
        self.assertEqual(dict(fields["state"]["selection"])["done"], "Выполнено")
        self.assertEqual(dict(fields["task_type"]["selection"])["feedback"], "Получить отзыв")
        self.assertEqual(fields["date_deadline"]["string"], "Крайний срок")
        self.assertEqual(self.env_ru.ref("olimp_followup.olimp_followup_menu_sale").name, "Сопровождение")
        self.assertEqual(
            self.env_ru.ref("olimp_followup.kpi_followups_on_time").name, "Задачи сопровождения, выполненные в срок"
        )

    def test_customer_passport_tab(self):
        arch = self.env_ru["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        for label in ('string="Паспорт клиента"', "Паспорт проверен", "Нужна проверка", 'string="Цикл сопровождения"'):
            self.assertIn(label, arch)
        self.assertNotIn("Customer Passport", arch)

    def test_error_message(self):
        rule = self.env.ref("olimp_followup.rule_feedback")
        with self.assertRaises(ValidationError) as caught:
            rule.with_env(self.env_ru).write({"delay_days": -1})
        self.assertIn("задержка не может быть отрицательной", str(caught.exception))
