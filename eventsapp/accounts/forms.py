from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from eventsapp.accounts.rules import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words "
        "make a password that is long and easy to remember.",
        validators=[
            DataRequired("Choose a password"),
            Length(min=MIN_PASSWORD_LENGTH,
                   message=f"Use at least {MIN_PASSWORD_LENGTH} characters"),
            Length(max=1000, message="Use 1,000 characters or fewer"),
        ],
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again"),
            EqualTo("password", message="The two passwords do not match"),
        ],
    )
