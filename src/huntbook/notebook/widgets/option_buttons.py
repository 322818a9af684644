"""`OptionButtons`: a row of buttons, one per option; the last one clicked is the value."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from huntbook.display import html_text
from huntbook.notebook.widgets._base import HuntWidget, check_choice, ipywidgets


class OptionButtons(HuntWidget[str | None]):
    """Ask a question with a few answers, as buttons.

    Parameters
    ----------
    options : list of str
        The answers, one button each.
    description : str
        The question shown before the buttons.
    default : str, optional
        The value before any click.
    on_click : callable, optional
        Called with the option each time a button is clicked.
    """

    def __init__(
        self,
        options: Iterable[str],
        *,
        description: str = "",
        default: str | None = None,
        on_click: Callable[[str | None], object] | None = None,
    ):
        super().__init__()
        widgets = ipywidgets()
        self._options = [str(o) for o in options]
        if not self._options:
            raise ValueError("OptionButtons needs at least one option")
        if len(set(self._options)) != len(self._options):
            raise ValueError(f"OptionButtons options must differ: {self._options}")
        self._value = check_choice(default, self._options, "options") if default is not None else None
        self._buttons = {}
        for option in self._options:
            button = widgets.Button(description=option, tooltip=option)
            button.on_click(lambda _b, chosen=option: self._clicked(chosen))
            self._buttons[option] = button
        self._answer = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(html_text(description)),
                widgets.HBox(list(self._buttons.values())),
                self._answer,
            ]
        )
        self._show()
        if on_click is not None:
            self.observe(on_click)

    def __repr__(self) -> str:
        return f"OptionButtons({self._options}, value={self._value!r})"

    @property
    def options(self) -> list[str]:
        """The options, in button order."""
        return list(self._options)

    @property
    def value(self) -> str | None:
        """The option clicked last (the default before any click)."""
        return self._value

    def click(self, option: str) -> None:
        """Click the button of *option*, as a person would."""
        self._buttons[check_choice(option, self._options, "options")].click()

    def _clicked(self, option: str) -> None:
        self._value = option
        self._show()
        self._notify()

    def _show(self) -> None:
        for option, button in self._buttons.items():
            button.button_style = "info" if option == self._value else ""
        self._answer.value = f"chosen: <b>{html_text(self._value)}</b>" if self._value else ""
