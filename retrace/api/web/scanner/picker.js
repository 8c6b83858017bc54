// A pick list for an id, made for gloves: a native <select> (the phone opens its own full-screen list with big
// rows: one tap to open, one to choose) over the registered entries, and under it the text field that holds the
// value sent, so an id that is not on the list (not registered yet, or the lists never reached this device) can
// still be typed. Choosing fills the field; typing a listed id selects it. Server data goes in as text only.

import { t } from "./i18n.js";

function node(tag, props, children) {
  const element = Object.assign(document.createElement(tag), props || {});
  if (children) element.append(...children);
  return element;
}

/**
 * @param {object} spec
 * @param {string} spec.id the text field's id (the select is ``<id>-pick``)
 * @param {string} spec.label what is chosen
 * @param {{key: string, entries: {id: string}[]}[]} spec.groups the entries, grouped (one group: no headings)
 * @param {(key: string) => string} spec.groupLabel a group's heading
 * @param {(entry: object) => string} spec.optionText an entry as the list shows it
 * @param {string} [spec.value] the value to start with
 * @param {string[]} [spec.recents] ids typed before on this device, offered while typing
 * @param {(value: string) => void} [spec.onChange] told the value after every choice or keystroke
 */
export function picker({ id, label, groups, groupLabel, optionText, value, recents, onChange }) {
  const labelNode = node("label", { textContent: label });
  const select = node("select", { id: `${id}-pick`, className: "pick" });
  select.dataset.pickFor = id;
  const input = node("input", { id, value: value || "", placeholder: t("pick_or_type"), autocapitalize: "off", spellcheck: false, autocomplete: "off" });
  input.setAttribute("aria-label", `${label}: ${t("pick_or_type")}`);
  const recent = node("datalist", { id: `${id}-recent` }, (recents || []).map((v) => node("option", { value: v })));
  input.setAttribute("list", recent.id);
  const first = node("option", { value: "" });
  let listed = new Set();

  const show = () => {
    const typed = input.value.trim();
    select.value = listed.has(typed) ? typed : "";
    first.textContent = typed && !listed.has(typed) ? t("pick_not_listed") : t("pick_choose");
  };

  const setGroups = (next) => {
    listed = new Set(next.flatMap((g) => g.entries.map((e) => e.id)));
    const options = (entries) => entries.map((e) => node("option", { value: e.id, textContent: optionText(e) }));
    select.replaceChildren(
      first,
      ...(next.length === 1 ? options(next[0].entries) : next.map((g) => node("optgroup", { label: groupLabel(g.key) }, options(g.entries)))),
    );
    // No list on this device (never online, nothing registered): the field alone, as before there were lists.
    select.hidden = listed.size === 0;
    labelNode.htmlFor = select.hidden ? id : select.id;
    show();
  };

  select.addEventListener("change", () => {
    input.value = select.value;
    show();
    if (onChange) onChange(input.value);
  });
  input.addEventListener("input", () => {
    show();
    if (onChange) onChange(input.value.trim());
  });
  setGroups(groups);

  return {
    nodes: [labelNode, select, input, recent],
    input,
    select,
    setGroups,
    /** Put ``next`` in the field (and select it if listed), as if chosen. */
    set(next) {
      input.value = next || "";
      show();
    },
    get value() {
      return input.value.trim();
    },
  };
}
