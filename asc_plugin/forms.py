"""Flask-WTF forms. Choices come from the host and the marketplace table at construction time.

Every form derives from :class:`PluginForm`, which keeps the plugin's forms the same in any host:
CSRF on whatever ``WTF_CSRF_ENABLED`` says (under the host's field name), text read from the
submitted form only (a file or a JSON body posted where text is expected reads as missing, with
the field's usual message), and WTForms' own messages in the plugin's language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cached_property

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from . import csrf, i18n, marketplaces, params
from .i18n import _, _l
from .models import ProductIdType
from .services import rules, stores
from .services.product_ids import LABELS
from .state import plugin_state

NAME_MAX = 100
EMAIL_MAX = 254
VALUE_MAX = 500
NAME_HELP = _l(
    "Only a reference inside this admin, shown on the Amazon Sales Channel home so your team "
    "can tell stores apart. For example: Amazon Store USA."
)
#: Right-to-left overrides and isolates: they make a name read differently than it is stored
#: (and reorder the columns of the CLI's table).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class PluginForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        csrf = True  # the host's WTF_CSRF_ENABLED=False does not switch the plugin's off

        @cached_property
        def csrf_field_name(self):
            return csrf.field_name()

        def wrap_formdata(self, form, formdata):
            if formdata is None or hasattr(formdata, "getlist"):  # given explicitly
                return formdata
            # Flask-WTF would also read request.files and JSON bodies; these forms are text.
            if request.method in csrf.UNSAFE_METHODS and request.form:
                return params.clean_keys(request.form)
            return None

        def get_translations(self, form):
            return i18n.wtforms_translations()


def _plain_text(form, field):
    """No control characters, no bidi overrides: what is stored reads as it is shown."""
    value = field.data or ""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValidationError(_("Remove the invisible control characters from this field."))
    if any(c in BIDI_CONTROLS for c in value):
        raise ValidationError(_("Remove the invisible text-direction characters from this "
                                "field."))


def _clip(limit: int):
    """Strip and keep one character past the limit: the length check still fails, but a huge
    value is never echoed back into the page."""
    def clip(value):
        return value.strip()[:limit + 1] if isinstance(value, str) else value
    return clip


def platform_name() -> str:
    return current_app.config["ASC_PLATFORM_NAME"]


class StoreSettingsForm(PluginForm):
    """What can change after a store exists: its name and contact email."""

    contact_email = EmailField(
        _l("Email Address"), filters=[_clip(EMAIL_MAX)],
        validators=[
            DataRequired(_l("Enter a contact email address.")),
            Length(max=EMAIL_MAX, message=_l("An email address has at most 254 characters.")),
            _plain_text,
            Email(_l("Enter an email address like name@example.com."),
                  check_deliverability=False),
        ],
    )
    name = StringField(
        _l("Store Name"), filters=[_clip(NAME_MAX)], description=NAME_HELP,
        validators=[
            DataRequired(_l("Enter a name for the store.")),
            Length(max=NAME_MAX, message=_l("A store name has at most 100 characters.")),
            _plain_text,
        ],
    )
    submit = SubmitField(_l("Save"))


class MappingForm(PluginForm):
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
        attrs = plugin_state().host.product_attributes()
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
        self.name.label.text = _("New Store Name")
        self.website_id.label.text = _("%(platform)s Website to use for Amazon Listing",
                                       platform=platform)
        self.website_id.description = _(
            "The website whose products are listed on Amazon. It also sets the default store "
            "for imported Amazon orders, and cannot be changed later."
        )
        self.website_id.choices = [SelectChoice("", _("Choose a website…"))] + [
            SelectChoice(w.id, w.name) for w in plugin_state().host.websites()
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
        if field.data and not field.errors and (problem := stores.name_problem(field.data)):
            raise ValidationError(problem)


class TaskForm(PluginForm):
    done = HiddenField()


class ConfirmForm(PluginForm):
    """A button that changes something: CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))


class ConditionForm(Form):
    """One row of a listing rule: field, comparison, value. A subform (the rule form carries
    the CSRF token); which comparisons it offers depends on the field's kind."""

    class Meta:
        def get_translations(self, form):
            return i18n.wtforms_translations()

    field = SelectField(_l("Field"), validate_choice=False)
    operator = SelectField(_l("Comparison"), validate_choice=False)
    value = StringField(_l("Value"), filters=[_clip(VALUE_MAX)])

    def bind_choices(self, fields) -> None:
        self.field.choices = [SelectChoice(f.key, f.label) for f in fields]
        chosen = next((f for f in fields if f.key == self.field.data), None)
        if chosen is None and fields:
            chosen = fields[0]
            self.field.data = chosen.key
        operators = rules.operators_for(chosen.kind) if chosen else []
        self.operator.choices = [SelectChoice(op, _(rules.OPERATORS[op][0])) for op in operators]
        if self.operator.data not in operators and operators:
            self.operator.data = operators[0]
        self.kind = chosen.kind if chosen else None

    @property
    def takes_value(self) -> bool:
        return rules.OPERATORS.get(self.operator.data, ("", (), True))[2]

    @property
    def condition(self):
        return rules.Condition(self.field.data or "", self.operator.data or "",
                               (self.value.data or "") if self.takes_value else "")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        problem = rules.problem(self.condition)
        if problem:
            self.value.errors = [*self.value.errors, problem]
        return not self.errors


class RuleForm(PluginForm):
    """A store's listing rule (the seed's 清單規則)."""

    #: Errors about the rule as a whole (too many conditions posted), shown above its rows.
    rule_errors: Sequence[str] = ()

    match = RadioField(_l("List the products where"), default="all", choices=[
        SelectChoice("all", _l("all of these conditions hold")),
        SelectChoice("any", _l("any of these conditions holds"))])
    conditions = FieldList(FormField(ConditionForm), max_entries=rules.MAX_CONDITIONS)
    enabled = BooleanField(_l("Use this rule (when it is off, every product of the website is "
                              "listed)"), default=True)

    def bind_choices(self) -> None:
        fields = rules.fields()
        for entry in self.conditions:
            entry.form.bind_choices(fields)

    @property
    def usable_conditions(self) -> list:
        return [entry.form.condition for entry in self.conditions
                if rules.problem(entry.form.condition) is None]

    @property
    def match_value(self) -> str:
        return self.match.data if self.match.data in ("all", "any") else "all"
