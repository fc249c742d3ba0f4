"""Flask-WTF forms. Choices come from the host and the marketplace table at construction time."""

from __future__ import annotations

import unicodedata

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from . import marketplaces
from .extension import state
from .models import ProductIdType
from .services.product_ids import LABELS

NAME_HELP = (
    "Only a reference inside this admin, shown on the Amazon Sales Channel home so your team "
    "can tell stores apart. For example: Amazon Store USA."
)


def _no_control_characters(form, field):
    if field.data and any(unicodedata.category(c) == "Cc" for c in field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def platform_name() -> str:
    return current_app.config["ASC_PLATFORM_NAME"]


class StoreSettingsForm(FlaskForm):
    """What can change after a store exists: its name and contact email."""

    contact_email = EmailField(
        "Email Address", filters=[_strip],
        validators=[
            DataRequired("Enter a contact email address."),
            Length(max=254, message="An email address has at most 254 characters."),
            _no_control_characters,
            Email("Enter an email address like name@example.com.", check_deliverability=False),
        ],
    )
    name = StringField(
        "New Store Name", filters=[_strip], description=NAME_HELP,
        validators=[
            DataRequired("Enter a name for the store."),
            Length(max=100, message="A store name has at most 100 characters."),
            _no_control_characters,
        ],
    )
    submit = SubmitField("Save")


class MappingForm(FlaskForm):
    """Which host attribute carries the Amazon product id."""

    amazon_id_type = SelectField(
        "Product ID on the Amazon market",
        choices=[SelectChoice(t.value, LABELS[t]) for t in ProductIdType],
        default=ProductIdType.ASIN.value,
        description="The Amazon identifier used to match your catalog's products to Amazon's.",
    )
    host_attribute = SelectField(
        "Map a {platform} attribute", validate_choice=True,
        description="The product attribute in your catalog that holds that identifier.",
    )
    submit = SubmitField("Save mapping")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        platform = platform_name()
        self.host_attribute.label.text = f"Map a {platform} attribute"
        attrs = state().host.product_attributes()
        self.host_attribute.choices = [SelectChoice("", "Choose an attribute…")] + [
            SelectChoice(a.code, f"{a.label} ({a.code})") for a in attrs
        ]

    def validate_host_attribute(self, field):
        if not field.data:
            raise ValidationError(f"Choose the {platform_name()} attribute that holds the id.")

    @property
    def id_type(self) -> ProductIdType:
        try:
            return ProductIdType(self.amazon_id_type.data)
        except ValueError:
            return ProductIdType.ASIN


class AddStoreForm(StoreSettingsForm, MappingForm):
    """Add Amazon sales channel: the seed's fields, in the seed's order."""

    website_id = SelectField("Website to use for Amazon Listing")
    marketplace = SelectField(
        "Amazon Marketplace Country",
        description="Where this store sells. It cannot be changed later.",
    )
    submit = SubmitField("Connect")

    # Field order as on the seed page.
    _order = ("website_id", "contact_email", "name", "marketplace",
              "amazon_id_type", "host_attribute")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        platform = platform_name()
        self.website_id.label.text = f"{platform} Website to use for Amazon Listing"
        self.website_id.description = (
            "The website whose products are listed on Amazon. It also sets the default store "
            "for imported Amazon orders, and cannot be changed later."
        )
        self.website_id.choices = [SelectChoice("", "Choose a website…")] + [
            SelectChoice(w.id, w.name) for w in state().host.websites()
        ]
        self.marketplace.choices = [SelectChoice("", "Choose a country…")] + [
            SelectChoice(m.code, m.country) for m in marketplaces.enabled(current_app.config)
        ]

    def validate_website_id(self, field):
        if not field.data:
            raise ValidationError("Choose the website to list on Amazon.")

    def validate_marketplace(self, field):
        if not field.data:
            raise ValidationError("Choose the Amazon marketplace country.")

    def validate_name(self, field):
        from .services import stores

        if field.data and not field.errors and stores.name_taken(field.data):
            raise ValidationError("A store with this name already exists. Choose another name.")


class TaskForm(FlaskForm):
    done = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF and nothing else."""

    submit = SubmitField("Confirm")
