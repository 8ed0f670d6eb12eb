// The what-if page: the levers of the chosen scenario as controls, a run
// with its progress, and the answer. Every text from a scenario goes in
// as textContent; the answer is HTML the server made with html/template.
"use strict";

const $ = (id) => document.getElementById(id);
let levers = null; // the chosen scenario's levers, as /api/levers gives them
let polling = null;
let checkTimer = null;

async function api(path, body) {
  const opt = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch(path, opt);
  const data = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
  if (!r.ok) {
    const e = new Error(data.error || r.statusText);
    e.data = data;
    throw e;
  }
  return data;
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

async function loadScenarios() {
  const data = await api("/api/scenarios");
  $("workspace").textContent = "Workspace: " + data.workspace;
  const sel = $("scenario");
  const keep = sel.value || "baseline";
  sel.replaceChildren();
  const groups = [["Shipped scenarios", data.shipped], ["Your workspace", data.files]];
  for (const [label, list] of groups) {
    if (!list || list.length === 0) continue;
    const g = el("optgroup", { label });
    for (const s of list) {
      const o = el("option", { value: s.id }, s.id === s.name ? s.id : s.id + ": " + s.name);
      if (s.problem) o.textContent += " (" + s.problem + ")";
      g.append(o);
    }
    sel.append(g);
  }
  sel.value = keep;
  if (sel.value !== keep) sel.selectedIndex = 0;
}

async function loadLevers() {
  clearProblems();
  $("controls").replaceChildren();
  $("description").textContent = "";
  levers = null;
  try {
    levers = await api("/api/levers?scenario=" + encodeURIComponent($("scenario").value));
  } catch (e) {
    showProblems(e);
    return;
  }
  $("description").textContent = levers.description + " " + levers.replications +
    " replications, each " + levers.horizon + " measured after a " + levers.warmup + " warm-up.";
  $("name").value = "";
  const groups = new Map();
  levers.controls.forEach((c, i) => {
    if (!groups.has(c.group)) {
      const fs = el("fieldset");
      fs.append(el("legend", {}, c.group));
      groups.set(c.group, fs);
      $("controls").append(fs);
    }
    groups.get(c.group).append(control(c, i));
  });
}

// control makes one lever's row: label, input, and where its value came from.
function control(c, i) {
  const row = el("div", { class: "control", "data-path": c.path });
  const id = "c" + i;
  row.append(el("label", { for: id, title: c.path }, c.label));
  let input;
  if (c.kind === "choice") {
    input = el("select", { id });
    for (const a of c.allowed) input.append(el("option", { value: a }, a.replaceAll("_", " ")));
    input.value = c.value;
  } else if (c.kind === "bool") {
    input = el("input", { id, type: "checkbox" });
    input.checked = c.value === "true";
  } else {
    input = el("input", { id, type: c.kind === "number" ? "number" : "text", step: "any" });
    input.value = c.value;
  }
  input.dataset.path = c.path;
  input.addEventListener("input", () => { markChanged(); scheduleCheck(); });
  input.addEventListener("change", () => { markChanged(); scheduleCheck(); });
  row.append(input);
  row.append(el("span", { class: "unit" }, c.unit || ""));
  const now = c.kind === "bool" ? (c.value === "true" ? "on" : "off") : c.value;
  const prov = ["now " + now];
  if (c.source) prov.push("source: " + c.source);
  if (c.uncertainty) prov.push("uncertain: " + c.uncertainty);
  if (c.note) prov.push(c.note);
  const p = el("div", { class: "prov" }, prov.join(" · "));
  if (c.citation) p.title = c.citation;
  row.append(p);
  row.append(el("div", { class: "error" }));
  return row;
}

function valueOf(input) {
  return input.type === "checkbox" ? String(input.checked) : input.value.trim();
}

// changes returns the levers set away from the base's values.
function changes() {
  const out = {};
  if (!levers) return out;
  levers.controls.forEach((c, i) => {
    const v = valueOf($("c" + i));
    if (v !== c.value) out[c.path] = v;
  });
  return out;
}

function markChanged() {
  if (!levers) return;
  levers.controls.forEach((c, i) => {
    $("c" + i).closest(".control").classList.toggle("changed", valueOf($("c" + i)) !== c.value);
  });
}

function request() {
  return { scenario: $("scenario").value, name: $("name").value, changes: changes() };
}

function clearProblems() {
  $("problems").replaceChildren();
  for (const row of document.querySelectorAll(".control")) {
    row.classList.remove("bad");
    row.querySelector(".error").textContent = "";
  }
}

// showProblems puts each problem beside its lever's control, and any
// other above the buttons, as check words them.
function showProblems(e) {
  clearProblems();
  const ps = (e.data && e.data.problems) || [{ text: e.message }];
  let first = null;
  for (const p of ps) {
    const row = p.key && [...document.querySelectorAll(".control")].find(
      (r) => p.key === r.dataset.path || p.key.startsWith(r.dataset.path + "."));
    if (row) {
      row.classList.add("bad");
      const err = row.querySelector(".error");
      err.textContent = (err.textContent ? err.textContent + " " : "") + p.message;
      err.title = p.text;
      first = first || row;
    } else {
      $("problems").append(el("p", {}, p.text));
      first = first || $("problems");
    }
  }
  return first;
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 400);
}

async function check() {
  if (Object.keys(changes()).length === 0) { clearProblems(); return; }
  try {
    await api("/api/check", request());
    clearProblems();
  } catch (e) {
    showProblems(e);
  }
}

async function run(ev) {
  ev.preventDefault();
  clearTimeout(checkTimer);
  clearProblems();
  try {
    await api("/api/run", request());
  } catch (e) {
    const first = showProblems(e);
    const n = (e.data && e.data.problems || [e]).length;
    $("status-text").textContent = "Not run: " + (n === 1 ? "a problem" : n + " problems") + ", shown in red on the left.";
    if (first) first.scrollIntoView({ block: "center" });
    return;
  }
  $("status-text").textContent = "Starting…";
  poll();
}

async function poll() {
  clearTimeout(polling);
  let st;
  try {
    st = await api("/api/status");
  } catch (e) {
    $("status-text").textContent = e.message;
    return;
  }
  const bar = $("progress");
  if (st.state === "running") {
    bar.hidden = false;
    $("run").disabled = true;
    $("cancel").disabled = false;
    bar.max = Math.max(st.total, 1);
    bar.value = st.done;
    $("status-text").textContent = st.phase + (st.total ? ": " + st.done + " of " + st.total + " replications" : "") +
      " (" + st.seconds.toFixed(1) + " s)";
    polling = setTimeout(poll, 200);
    return;
  }
  $("run").disabled = false;
  $("cancel").disabled = true;
  bar.max = 1;
  bar.value = st.state === "done" ? 1 : 0;
  bar.hidden = st.state === "idle";
  if (st.state === "done") {
    await showResult();
  } else if (st.state === "cancelled") {
    $("status-text").textContent = "Cancelled after " + st.seconds.toFixed(1) + " s.";
  } else if (st.state === "failed") {
    $("status-text").textContent = "The what-if did not run: " + st.error;
  }
}

async function showResult() {
  const r = await api("/api/result");
  $("status-text").textContent = "Answered in " + r.seconds.toFixed(1) + " s.";
  $("status-text").dataset.seconds = r.seconds;
  $("result").innerHTML = r.html; // made by the server's html/template
  $("keep").hidden = false;
  $("save-status").textContent = r.saved ? "Saved as " + r.saved : "";
  $("file").value = slug(r.name);
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64) || "what-if";
}

async function save(ev) {
  ev.preventDefault();
  const st = $("save-status");
  st.classList.remove("bad");
  try {
    const r = await api("/api/save", { file: $("file").value.trim(), replace: $("replace").checked });
    st.textContent = "Saved as " + r.path + ". From the command line: " + r.command;
    st.dataset.file = r.file;
    await loadScenarios();
  } catch (e) {
    st.classList.add("bad");
    st.textContent = e.message;
  }
}

async function cancel() {
  try {
    await api("/api/cancel", {});
  } catch (e) {
    $("status-text").textContent = e.message;
  }
}

function reset() {
  if (!levers) return;
  levers.controls.forEach((c, i) => {
    const input = $("c" + i);
    if (input.type === "checkbox") input.checked = c.value === "true";
    else input.value = c.value;
  });
  markChanged();
  clearProblems();
}

async function start() {
  $("scenario").addEventListener("change", loadLevers);
  $("form").addEventListener("submit", run);
  $("save-form").addEventListener("submit", save);
  $("cancel").addEventListener("click", cancel);
  $("reset").addEventListener("click", reset);
  await loadScenarios();
  await loadLevers();
  poll(); // a what-if may be running, or answered, from before a reload
}

start().catch((e) => { $("status-text").textContent = e.message; });
