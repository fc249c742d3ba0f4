"""Flask-WTF forms. Choices come from the host and the marketplace table at construction time."""

from __future__ import annotations

import unicodedata

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from . import marketplaces
from .extension import state
from .i18n import _, _l
from .models import ProductIdType
from .services.product_ids import LABELS

NAME_HELP = _l(
    "Only a reference inside this admin, shown on the Amazon Sales Channel home so your team "
    "can tell stores apart. For example: Amazon Store USA."
)


def _no_control_characters(form, field):
    if field.data and any(unicodedata.category(c) == "Cc" for c in field.data):
        raise ValidationError(_("Remove the invisible control characters from this field."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def platform_name() -> str:
    return current_app.config["ASC_PLATFORM_NAME"]


class StoreSettingsForm(FlaskForm):
    """What can change after a store exists: its name and contact email."""

    contact_email = EmailField(
        _l("Email Address"), filters=[_strip],
        validators=[
            DataRequired(_l("Enter a contact email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            _no_control_characters,
            Email(_l("Enter an email address like name@example.com."),
                  check_deliverability=False),
        ],
    )
    name = StringField(
        _l("New Store Name"), filters=[_strip], description=NAME_HELP,
        validators=[
            DataRequired(_l("Enter a name for the store.")),
            Length(max=100, message=_l("A store name has at most 100 characters.")),
            _no_control_characters,
        ],
    )
    submit = SubmitField(_l("Save"))


class MappingForm(FlaskForm):
    """Which host attribute carries the Amazon product id."""

    amazon_id_type = SelectField(
        _l("Product ID on the Amazon market"),
        default=ProductIdType.ASIN.value,
        description=_l("The Amazon identifier used to match your catalog's products to "
                       "Amazon's."),
    )
    host_attribute = SelectField(
        _l("Map a product attribute"), validate_choice=True,
        description=_l("The product attribute in your catalog that holds that identifier."),
    )
    submit = SubmitField(_l("Save mapping"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        platform = platform_name()
        self.amazon_id_type.choices = [
            SelectChoice(t.value, _(LABELS[t])) for t in ProductIdType]
        self.host_attribute.label.text = _("Map a %(platform)s attribute", platform=platform)
        attrs = state().host.product_attributes()
        self.host_attribute.choices = [SelectChoice("", _("Choose an attribute…"))] + [
            SelectChoice(a.code, f"{a.label} ({a.code})") for a in attrs
        ]

    def validate_host_attribute(self, field):
        if not field.data:
            raise ValidationError(_("Choose the %(platform)s attribute that holds the id.",
                                    platform=platform_name()))

    @property
    def id_type(self) -> ProductIdType:
        try:
            return ProductIdType(self.amazon_id_type.data)
        except ValueError:
            return ProductIdType.ASIN


class AddStoreForm(StoreSettingsForm, MappingForm):
    """Add Amazon sales channel: the seed's fields, in the seed's order."""

    website_id = SelectField(_l("Website to use for Amazon Listing"))
    marketplace = SelectField(
        _l("Amazon Marketplace Country"),
        description=_l("Where this store sells. It cannot be changed later."),
    )
    submit = SubmitField(_l("Connect"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        platform = platform_name()
        self.website_id.label.text = _("%(platform)s Website to use for Amazon Listing",
                                       platform=platform)
        self.website_id.description = _(
            "The website whose products are listed on Amazon. It also sets the default store "
            "for imported Amazon orders, and cannot be changed later."
        )
        self.website_id.choices = [SelectChoice("", _("Choose a website…"))] + [
            SelectChoice(w.id, w.name) for w in state().host.websites()
        ]
        self.marketplace.choices = [SelectChoice("", _("Choose a country…"))] + [
            SelectChoice(m.code, _(m.country)) for m in marketplaces.enabled(current_app.config)
        ]

    def validate_website_id(self, field):
        if not field.data:
            raise ValidationError(_("Choose the website to list on Amazon."))

    def validate_marketplace(self, field):
        if not field.data:
            raise ValidationError(_("Choose the Amazon marketplace country."))

    def validate_name(self, field):
        from .services import stores

        if field.data and not field.errors and stores.name_taken(field.data):
            raise ValidationError(
                _("A store with this name already exists. Choose another name."))


class TaskForm(FlaskForm):
    done = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))
