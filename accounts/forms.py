"""Forms of user administration: role, active flag, planner scope and password."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User

from accounts.models import PlanningScope, Role
from accounts.roles import primary_role
from accounts.services import user_version
from accounts.versions import version_field


class UserForm(forms.Form):
    """Create a user (``instance`` None) or edit one; the password is optional when editing."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(required=False, initial=True, label="Active (may log in)")
    # Querysets are set in __init__ from the scope's own relations (accounts imports no
    # masterdata).
    regions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Planners only. None ticked means every region.",
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Planners only. None ticked means every category; a category includes its subtree."
        ),
    )
    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )
    password2 = forms.CharField(
        label="Repeat password", required=False, strip=False, widget=forms.PasswordInput
    )
    version = version_field()

    def __init__(self, *args, instance: User | None = None, actor: User | None = None, **kwargs):
        self.instance, self.actor = instance, actor
        if instance is not None:
            kwargs.setdefault("initial", self._initial_for(instance))
        super().__init__(*args, **kwargs)
        for name in ("regions", "categories"):
            related = PlanningScope._meta.get_field(name).related_model
            self.fields[name].queryset = related._default_manager.all()
        if instance is not None:
            self.initial["version"] = user_version(instance)
            self.fields["username"].disabled = True
            self.fields["password1"].label = "New password"
            self.fields["password1"].help_text = "Leave empty to keep the current password."
        else:
            del self.fields["version"]
            self.fields["password1"].required = True
            self.fields["password2"].required = True
            self.fields[
                "password1"
            ].help_text = password_validation.password_validators_help_text_html()

    @staticmethod
    def _initial_for(user: User) -> dict:
        try:
            scope = user.planning_scope
            regions, categories = list(scope.regions.all()), list(scope.categories.all())
        except PlanningScope.DoesNotExist:
            regions, categories = [], []
        return {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": primary_role(user) or Role.PLANNER,
            "is_active": user.is_active,
            "regions": regions,
            "categories": categories,
        }

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance is None and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"A user named “{username}” already exists.")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", "The two passwords differ.")
            else:
                candidate = self.instance or User(
                    username=cleaned.get("username", ""),
                    email=cleaned.get("email", ""),
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        editing_self = self.instance is not None and self.instance == self.actor
        if editing_self and (cleaned.get("role") != Role.ADMIN or not cleaned.get("is_active")):
            raise forms.ValidationError(
                "You cannot remove your own admin role or deactivate yourself; ask another admin."
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned values as keyword arguments of ``user_create``/``user_update``."""
        data = self.cleaned_data
        return {
            "role": data["role"],
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "is_active": data["is_active"],
            "regions": data["regions"],
            "categories": data["categories"],
        }
