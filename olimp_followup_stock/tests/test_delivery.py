from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.addons.olimp_followup.tests.common import FollowupCase
from odoo.tests import Form, tagged


@tagged("post_install", "-at_install")
class TestDeliveryTrigger(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.goods = cls.env["product.product"].create({"name": "Follow-up Goods", "type": "consu", "list_price": 50})
        cls.rule = cls._rule(name="After delivery", trigger="order_delivered", delay_days=3)

    def _goods_order(self, qty=2):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "team_id": self.team.id,
                "order_line": [
                    Command.create({"product_id": self.goods.id, "product_uom_qty": qty, "tax_id": [Command.clear()]})
                ],
            }
        )
        order.action_confirm()
        return order

    def _deliver(self, picking, qty=None):
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        picking.with_context(cancel_backorder=False)._action_done()

    def test_rule_accepts_the_trigger(self):
        self.assertTrue(self.Rule._olimp_delivery_trigger_available())
        self.assertEqual(self.rule.trigger, "order_delivered")

    def test_validated_delivery_fires(self):
        with freeze_time("2025-03-10 10:00:00"):
            order = self._goods_order()
        self.assertFalse(order.olimp_followup_ids)
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_code, "outgoing")
        with freeze_time("2025-03-12 15:00:00"):
            self._deliver(picking)
        self.assertEqual(picking.state, "done")
        self.assertRecordValues(
            order.olimp_followup_ids,
            [
                {
                    "rule_id": self.rule.id,
                    "user_id": self.salesman.id,
                    "trigger_date": date(2025, 3, 12),
                    "date_deadline": date(2025, 3, 15),
                }
            ],
        )
        self.assertEqual(self._activities(self.customer), order.olimp_followup_ids.activity_id)
        self.assertFalse(self._activities(order))

    def test_backorder_does_not_fire_twice(self):
        order = self._goods_order(qty=2)
        first = order.picking_ids
        self._deliver(first, qty=1)
        followup = order.olimp_followup_ids
        self.assertEqual(len(followup), 1)
        backorder = order.picking_ids - first
        self.assertEqual(len(backorder), 1)
        self._deliver(backorder)
        self.assertEqual(order.olimp_followup_ids, followup)

    def test_return_does_not_fire(self):
        order = self._goods_order()
        self._deliver(order.picking_ids)
        order.olimp_followup_ids.unlink()
        return_wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=order.picking_ids.id, active_model="stock.picking")
            .create({})
        )
        return_wizard.product_return_moves.quantity = 1
        returned = self.env["stock.picking"].browse(return_wizard.action_create_returns()["res_id"])
        self._deliver(returned)
        self.assertEqual(returned.picking_type_code, "incoming")
        self.assertFalse(order.olimp_followup_ids)

    def test_confirmation_alone_does_not_fire(self):
        order = self._goods_order()
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertFalse(order.olimp_followup_ids)

    def test_the_order_keeps_its_own_activities(self):
        """The regulation's activities are on the customer: an order's activities are Odoo's, as in its own test of a
        partial delivery without backorder (sale_stock's test_exception_delivery_partial_multi counts one)."""
        steps = ["feedback", "support", "needs", "offer", "reorder"]
        self.Rule.browse([self.env.ref(f"olimp_followup.rule_{step}").id for step in steps]).write({"active": True})
        order = self._goods_order(qty=2)
        self.assertEqual(len(order.olimp_followup_ids), 5)
        self.assertFalse(self._activities(order))
        self.assertEqual(len(self._activities(self.customer)), 1, "the feedback call, due within a week")
        picking = order.picking_ids
        picking.move_ids.write({"quantity": 1, "picked": True})
        wizard = Form.from_action(self.env, picking.button_validate()).save()
        wizard.backorder_confirmation_line_ids.write({"to_backorder": False})
        wizard.process()
        self.assertEqual(len(self._activities(order)), 1, "the delivery exception only")
