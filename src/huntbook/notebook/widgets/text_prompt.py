"""`TextPrompt`: ask for a line of text (or a secret), with a submit button and an optional check."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from huntbook.display import html_text
from huntbook.notebook.widgets._base import HuntWidget, ipywidgets


class TextPrompt(HuntWidget[str | SecretStr | None]):
    """A text box and a Submit button; the submitted text is the value.

    Parameters
    ----------
    description : str
        The question shown before the box.
    default : str
        Text in the box at the start.
    secret : bool
        Hide what is typed (an API key): the value is a pydantic `SecretStr`,
        which never shows in reprs, logs or errors.
    check : callable, optional
        Called with the text on submit; returns an error message to refuse it,
        or ``None`` to accept it.
    on_submit : callable, optional
        Called with the value when accepted text is submitted (the button, or `submit`).
    """

    def __init__(
        self,
        description: str,
        *,
        default: str = "",
        secret: bool = False,
        check: Callable[[str], str | None] | None = None,
        on_submit: Callable[[str | SecretStr | None], object] | None = None,
    ):
        super().__init__()
        widgets = ipywidgets()
        self._secret = secret
        self._check = check
        self._value: str | SecretStr | None = None
        box_type = widgets.Password if secret else widgets.Text
        self._box = box_type(value=default, description=description, style={"description_width": "initial"})
        self._button = widgets.Button(description="Submit", button_style="primary")
        self._message = widgets.HTML()
        self._button.on_click(lambda _b: self.submit())
        self.widget = widgets.VBox([widgets.HBox([self._box, self._button]), self._message])
        if on_submit is not None:
            self.observe(on_submit)

    def __repr__(self) -> str:
        shown = "**********" if self._secret and self._value is not None else repr(self._value)
        return f"TextPrompt(value={shown})"

    @property
    def text(self) -> str:
        """What is in the box now (submitted or not); empty for a secret prompt."""
        return "" if self._secret else str(self._box.value)

    @text.setter
    def text(self, text: str) -> None:
        self._box.value = text

    @property
    def value(self) -> str | SecretStr | None:
        """The text last accepted by `submit` (a `SecretStr` for a secret prompt), ``None`` before."""
        return self._value

    @property
    def submitted(self) -> bool:
        """Whether text has been accepted."""
        return self._value is not None

    def submit(self, text: str | None = None) -> bool:
        """Submit *text* (or what is in the box), as the button does; return whether it was accepted."""
        if text is not None:
            self._box.value = text
        raw = str(self._box.value)
        error = self._check(raw) if self._check is not None else None
        if error:
            self._message.value = f"<span style='color:#c62828'>{html_text(error)}</span>"
            return False
        self._value = SecretStr(raw) if self._secret else raw
        if self._secret:
            self._box.value = ""  # do not keep the secret in the widget state
        self._message.value = "<span style='color:#2e7d32'>✔ accepted</span>"
        self._notify()
        return True
