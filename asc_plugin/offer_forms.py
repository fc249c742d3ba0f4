"""The listing settings form (a store's offers on Amazon): WTForms, in the plugin's language.

Numbers are parsed by WTForms' own fields (a non-number, a superscript digit or a 5,000-digit
value is a message, never an exception) and then bounded; a price in another currency than the
marketplace's is refused, since a price is never converted.
"""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from .forms import PluginForm
from .i18n import _, _l
from .services.listing_settings import MARKET_CURRENCY, currency_of
from .state import plugin_state

CONDITION_LABELS = {
    "new_new": _l("New"), "new_open_box": _l("New – open box"), "new_oem": _l("New – OEM"),
    "refurbished_refurbished": _l("Refurbished"), "used_like_new": _l("Used – like new"),
    "used_very_good": _l("Used – very good"), "used_good": _l("Used – good"),
    "used_acceptable": _l("Used – acceptable"), "collectible_like_new":
    _l("Collectible – like new"), "collectible_very_good": _l("Collectible – very good"),
    "collectible_good": _l("Collectible – good"), "collectible_acceptable":
    _l("Collectible – acceptable"), "club_club": _l("Club"),
}
MAX_PRICE = Decimal("999999.99")


class OfferSettingsForm(PluginForm):
    """Adobe's *Listing Settings*: condition, price, quantity, handling, publishing."""

    condition = SelectField(_l("Condition"), default="new_new",
                            description=_l("The condition every offer of this store is made "
                                           "in."))
    price_attribute = SelectField(_l("Price source"), default="price",
                                  description=_l("Which of your product's values is the "
                                                 "price before the adjustment."))
    adjust_kind = RadioField(_l("Adjustment"), default="percent")
    adjust_value = DecimalField(_l("Adjust by"), default=Decimal("0"), places=2,
                                validators=[InputRequired(_l("Enter a number, 0 for none."))],
                                description=_l("For example 8 raises prices by 8 %, -5 "
                                               "lowers them."))
    floor_price = DecimalField(_l("Floor price"), places=2, validators=[
        Optional(), NumberRange(min=Decimal("0.01"), max=MAX_PRICE,
                                message=_l("Enter a price between 0.01 and 999,999.99."))],
        description=_l("No offer goes below this price."))
    ceiling_price = DecimalField(_l("Ceiling price (optional)"), places=2, validators=[
        Optional(), NumberRange(min=Decimal("0.01"), max=MAX_PRICE,
                                message=_l("Enter a price between 0.01 and 999,999.99."))],
        description=_l("No offer goes above this price."))
    currency = SelectField(_l("Currency of the price source"),
                           description=_l("Prices are never converted: they must be in the "
                                          "marketplace's currency."))
    quantity_attribute = SelectField(_l("Quantity source"), default="quantity")
    quantity_buffer = IntegerField(_l("Keep back"), default=0, validators=[
        InputRequired(_l("Enter a number, 0 for none.")),
        NumberRange(min=0, max=100000, message=_l("Enter a number from 0 to 100,000."))],
        description=_l("Units kept out of Amazon's quantity, for your other channels."))
    max_quantity = IntegerField(_l("Maximum listed quantity (optional)"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("Enter a number from 1 to "
                                                              "100,000."))])
    handling_days = IntegerField(_l("Handling time (days)"), default=2, validators=[
        InputRequired(_l("Enter the days you need to ship.")),
        NumberRange(min=1, max=30, message=_l("Enter a number of days from 1 to 30."))])
    publish_mode = RadioField(_l("Publishing"), default="request")
    end_mode = RadioField(_l("When a product leaves the listing"), default="delete")
    submit = SubmitField(_l("Save listing settings"))

    def __init__(self, *args, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.condition.choices = [SelectChoice(k, v) for k, v in CONDITION_LABELS.items()]
        attributes = [SelectChoice(a.code, a.label)
                      for a in plugin_state().host.product_attributes()]
        self.price_attribute.choices = [SelectChoice("price", _("Product price"))] + attributes
        self.quantity_attribute.choices = [SelectChoice("quantity", _("Stock quantity"))] + \
            attributes
        self.currency.choices = [SelectChoice(c, c) for c in sorted(set(
            MARKET_CURRENCY.values()))]
        self.adjust_kind.choices = [SelectChoice("percent", _("Percent (±)")),
                                    SelectChoice("fixed", _("Fixed amount (±)"))]
        self.publish_mode.choices = [
            SelectChoice("request", _("When I click Publish")),
            SelectChoice("auto", _("Automatically after each catalog match"))]
        self.end_mode.choices = [SelectChoice("delete", _("End the offer on Amazon")),
                                 SelectChoice("zero", _("Set its quantity to 0"))]

    def validate_currency(self, field):
        wanted = currency_of(self.store)
        if field.data != wanted:
            raise ValidationError(_("This marketplace sells in %(wanted)s and prices are never "
                                    "converted: choose a price source in %(wanted)s.",
                                    wanted=wanted))

    def validate_adjust_value(self, field):
        if field.data is None:
            return
        if self.adjust_kind.data == "percent" and not -90 <= field.data <= 1000:
            raise ValidationError(_("Enter a percentage from -90 to 1,000."))
        if abs(field.data) > MAX_PRICE:
            raise ValidationError(_("Enter an amount between -999,999.99 and 999,999.99."))

    def validate_ceiling_price(self, field):
        if field.data is not None and self.floor_price.data is not None and \
                field.data < self.floor_price.data:
            raise ValidationError(_("The ceiling must not be below the floor price."))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "condition", "price_attribute", "adjust_kind", "adjust_value", "floor_price",
            "ceiling_price", "currency", "quantity_attribute", "quantity_buffer",
            "max_quantity", "handling_days", "publish_mode", "end_mode")}
