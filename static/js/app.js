// Small behaviours every page shares. No framework: htmx does the partial updates.
(function () {
  "use strict";

  // A <select data-autosubmit> submits its form when changed (the account switcher).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // A field with data-resubmit="BUTTON_ID" submits its form through that button when
  // changed (the bulk email page recounts who gets it).
  document.addEventListener("change", function (event) {
    var el = event.target;
    var id = el.getAttribute && el.getAttribute("data-resubmit");
    var button = id && document.getElementById(id);
    if (button && el.form && el.form.requestSubmit) el.form.requestSubmit(button);
  });

  // <form data-confirm="…"> (or its submit button) asks before it submits (deletes,
  // removals, merges, sending to everyone).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // An open <details class="menu"> closes on Escape or a click elsewhere.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // A header checkbox [data-check-all] ticks every row checkbox of its table.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-check-all]")) return;
    var table = box.closest("table");
    table.querySelectorAll('tbody input[type="checkbox"]').forEach(function (row) {
      row.checked = box.checked;
    });
  });

  // [data-remove-closest="tr"] removes its enclosing element (cancel an inline form).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-closest]");
    if (button) button.closest(button.getAttribute("data-remove-closest")).remove();
  });

  // Formsets: [data-formset-add] appends a copy of the <template data-formset-empty>.
  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-formset-add]");
    if (!add) return;
    var box = add.closest("[data-formset]");
    var prefix = box.getAttribute("data-formset");
    var total = box.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var html = box.querySelector("template[data-formset-empty]").innerHTML.replace(/__prefix__/g, total.value);
    box.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
    total.value = String(Number(total.value) + 1);
    var inputs = box.querySelectorAll("[data-formset-rows] .formset-row:last-child input");
    if (inputs.length) inputs[0].focus();
  });

  // Person picker: a click on a lookup result fills the hidden id and the visible name.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest && event.target.closest("[data-pick-id]");
    if (!pick) return;
    var picker = pick.closest("[data-person-picker]");
    picker.querySelector("[data-pick-value]").value = pick.getAttribute("data-pick-id");
    picker.querySelector("[data-pick-text]").value = pick.getAttribute("data-pick-label");
    picker.querySelector(".lookup-box").innerHTML = "";
  });
  document.addEventListener("input", function (event) {
    var text = event.target;
    if (text.matches && text.matches("[data-pick-text]") && text.value.trim() === "") {
      text.closest("[data-person-picker]").querySelector("[data-pick-value]").value = "";
    }
  });

  // Keyboard-friendly lists: j / k move between rows, Enter opens, l logs a contact.
  function rows() {
    var table = document.querySelector("table[data-keyboard-list]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody > tr[data-row-url]")) : [];
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.metaKey || event.ctrlKey || event.altKey) return;
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "k") {
      var next = event.key === "j" ? Math.min(index + 1, list.length - 1) : Math.max(index - 1, 0);
      list[next].focus();
      event.preventDefault();
    } else if (event.key === "Enter" && index >= 0) {
      window.location = list[index].getAttribute("data-row-url");
    } else if (event.key === "l" && index >= 0) {
      var log = list[index].querySelector("[data-log-button]");
      if (log) { log.click(); event.preventDefault(); }
    }
  });

  // Card-at-a-time pages (the Christmas card test): inside [data-card-keys], a key press
  // clicks the control marked [data-card-key="<key>"] (k keep, c Cold, f fix address).
  document.addEventListener("keydown", function (event) {
    var deck = document.querySelector("[data-card-keys]");
    if (!deck || event.repeat || event.metaKey || event.ctrlKey || event.altKey) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) return;
    if (!event.key || event.key.length !== 1) return;
    var control = deck.querySelector('[data-card-key="' + event.key.toLowerCase() + '"]');
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
