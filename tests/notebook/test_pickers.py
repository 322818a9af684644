"""Item picker, subset picker, option buttons and text prompt, driven as a person would, from code."""

import pytest
from pydantic import SecretStr

from huntbook.notebook.widgets import ItemPicker, OptionButtons, SubsetPicker, TextPrompt, WidgetValueError

HOSTS = ["WS-001.contoso.com", "WS-017.contoso.com", "DC01.contoso.com", "FS01.contoso.com"]


def test_item_picker_filters_and_calls_back_with_the_choice(qp):
    ran = []
    picker = ItemPicker(HOSTS, on_select=lambda host: ran.append(qp.Heartbeat.get_host_info(host_name=host)))
    picker.filter_text = "ws-0"
    assert picker.visible == ["WS-001.contoso.com", "WS-017.contoso.com"]
    picker._list.value = "WS-017.contoso.com"  # a click in the list
    assert picker.value == picker.label == "WS-017.contoso.com"
    assert ran[0].attrs["huntbook"]["parameters"]["host_name"] == "WS-017.contoso.com"
    picker.filter_text = "DC"  # the choice is filtered out: nothing chosen, no callback
    assert picker.label is None
    assert len(ran) == 1


def test_item_picker_with_a_mapping_returns_values_and_rejects_unknown_labels():
    picker = ItemPicker({"High": 3, "Medium": 2, "Low": 1}, selected="Medium")
    assert picker.value == 2
    picker.filter_text = "xyz"
    picker.label = "High"  # a filtered-out label clears the filter so it shows
    assert (picker.value, picker.filter_text) == (3, "")
    with pytest.raises(WidgetValueError, match="Did you mean 'High'"):
        picker.label = "Hihg"


def test_item_picker_filter_is_plain_text_not_a_pattern():
    picker = ItemPicker(["a.b", "axb", "(x+)+y"])
    picker.filter_text = "."
    assert picker.visible == ["a.b"]
    picker.filter_text = "(x+)+"
    assert picker.visible == ["(x+)+y"]


def test_subset_picker_adds_removes_and_keeps_item_order():
    changes = []
    picker = SubsetPicker(HOSTS, selected=["FS01.contoso.com"], on_change=changes.append)
    picker.filter_text = "ws"
    assert picker.visible == ["WS-001.contoso.com", "WS-017.contoso.com"]
    picker._available.value = ("WS-017.contoso.com",)
    picker.widget.children[-1].children[1].children[0].click()  # "Add ›"
    assert picker.value == ["WS-017.contoso.com", "FS01.contoso.com"]
    picker.add(picker.visible)
    assert picker.value == ["WS-001.contoso.com", "WS-017.contoso.com", "FS01.contoso.com"]
    assert picker.visible == []
    picker.remove(["WS-001.contoso.com"])
    picker.value = ["DC01.contoso.com", "WS-001.contoso.com"]
    assert picker.labels == ["WS-001.contoso.com", "DC01.contoso.com"]
    assert changes[-1] == ["WS-001.contoso.com", "DC01.contoso.com"]
    assert len(changes) == 4
    picker.clear()
    assert picker.value == [] and changes[-1] == []
    with pytest.raises(WidgetValueError):
        picker.add(["nope"])


def test_subset_picker_selection_drives_a_query(qp):
    picker = SubsetPicker(HOSTS)
    picker.add(["WS-017.contoso.com", "DC01.contoso.com"])
    frame = qp.exec_query(
        "declare query_parameters(hosts:dynamic); "
        "SecurityEvent | where Computer in (hosts) | summarize count() by Computer",
        params={"hosts": picker.value},
    )
    assert sorted(frame["Computer"]) == ["DC01.contoso.com", "WS-017.contoso.com"]


def test_option_buttons_record_the_click_and_call_back():
    heard = []
    buttons = OptionButtons(
        ["Yes", "No", "Later"], description="Escalate?", default="Later", on_click=heard.append
    )
    assert buttons.value == "Later"
    buttons.click("No")
    buttons._buttons["Yes"].click()
    assert buttons.value == "Yes" and heard == ["No", "Yes"]
    assert buttons._buttons["Yes"].button_style == "info" and buttons._buttons["No"].button_style == ""
    with pytest.raises(WidgetValueError):
        buttons.click("Maybe")
    with pytest.raises(ValueError, match="differ"):
        OptionButtons(["a", "a"])


def test_text_prompt_checks_and_submits():
    heard = []
    prompt = TextPrompt(
        "Case number", check=lambda t: None if t.isdigit() else "digits only", on_submit=heard.append
    )
    assert not prompt.submit("12a")
    assert "digits only" in prompt._message.value and not prompt.submitted
    prompt.text = "1234"
    prompt._button.click()
    assert prompt.value == "1234" and heard == ["1234"]


def test_a_secret_prompt_never_shows_the_secret():
    prompt = TextPrompt("API key", secret=True)
    prompt.submit("s3cr3t-key-value")
    assert isinstance(prompt.value, SecretStr)
    assert prompt.value.get_secret_value() == "s3cr3t-key-value"
    for shown in (repr(prompt), str(prompt.value), prompt.text, prompt._box.value, prompt._message.value):
        assert "s3cr3t" not in shown
