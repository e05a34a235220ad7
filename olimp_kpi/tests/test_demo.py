from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """On a database with demo data, the article's scorecard: 491,970 of 500,000, red zone, upward trend."""

    def test_article_scorecard(self):
        employee = self.env.ref("olimp_kpi.employee_irina_demo", raise_if_not_found=False)
        if not employee:
            self.skipTest("demo data not installed")
        scorecard = self.env["olimp.kpi.scorecard"].search(
            [("employee_id", "=", employee.id), ("state", "=", "open")], order="date_from desc", limit=1
        )
        scorecard.action_refresh()
        sales = scorecard.line_ids.filtered(lambda ln: ln.kpi_id == self.env.ref("olimp_kpi.kpi_sales_amount"))
        self.assertEqual((sales.target, sales.actual), (500000, 491970))
        self.assertEqual(sales.previous_actual, 420500)
        self.assertEqual(sales.zone, "red")
        self.assertEqual(sales.trend, "up")
        self.assertGreater(employee.olimp_efficiency, 0, "last month's closed scorecard gives the efficiency")
