/* labkit practice exam. labkitExam(rootId, data) runs a timed exam drawn from the bank that labkit.exam() embeds
   (data: minutes, blueprint {domain: items}, domains {domain: label}, bank (a digest), items [...]).
   Progress lives in localStorage under the bank's digest, so a reload resumes. No libraries, no network. */
function labkitExam(rootId, data) {
  var tries = 0;
  (function boot() {
    var root = document.getElementById(rootId);
    if (root) { labkitExamApp(root, data); } else if (tries++ < 100) { setTimeout(boot, 100); }
  })();
}

function labkitExamApp(root, data) {
  var KEY = "labkit-exam:" + data.bank;
  var byId = {};
  data.items.forEach(function (item) { byId[item.id] = item; });
  var inBook = /\.html?$/.test(location.pathname) || !!document.querySelector(".bd-article");
  var state = load();
  var confirming = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch (e) { return null; }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: memory only */ }
  }
  function shuffle(list) {
    for (var i = list.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1)), t = list[i]; list[i] = list[j]; list[j] = t;
    }
    return list;
  }
  function draw() {  // data.blueprint items from each domain, then mixed
    var ids = [];
    Object.keys(data.blueprint).forEach(function (d) {
      var pool = data.items.filter(function (it) { return String(it.domain) === d; });
      ids = ids.concat(shuffle(pool).slice(0, data.blueprint[d]).map(function (it) { return it.id; }));
    });
    return shuffle(ids);
  }
  function el(html) { var box = document.createElement("div"); box.innerHTML = html; return box; }
  function clock(ms) {
    var s = Math.max(0, Math.round(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }
  function picked(id) { return state.answers[id] || []; }
  function isRight(id) {
    var want = byId[id].options.map(function (o, i) { return o.correct ? i : -1; }).filter(function (i) { return i >= 0; });
    var got = picked(id).slice().sort();
    return got.length === want.length && got.every(function (v, i) { return v === want[i]; });
  }
  function chapterLink(item) {
    return "<a href='" + item.link + (inBook ? ".html" : ".md") + "' target='_blank'>" + item.chapter + "</a>";
  }

  function render() {
    clearInterval(root.labkitTimer);
    root.innerHTML = "";
    if (!state) return renderStart();
    if (state.done) return renderResults();
    if (Date.now() >= state.deadline) return submit();
    renderQuestion();
    root.labkitTimer = setInterval(function () {
      var left = state.deadline - Date.now(), timer = root.querySelector(".le-timer");
      if (!document.body.contains(root)) return clearInterval(root.labkitTimer);
      if (left <= 0) return submit();
      if (timer) timer.textContent = "Time left " + clock(left);
    }, 1000);
  }

  function renderStart() {
    var total = 0, parts = [];
    Object.keys(data.blueprint).forEach(function (d) {
      total += data.blueprint[d];
      parts.push("<li>" + data.domains[d] + ": " + data.blueprint[d] + " questions</li>");
    });
    var html = "<p><b>" + total + " questions, " + data.minutes + " minutes</b>, drawn at random from the " +
      data.items.length + " items of the bank:</p><ul>" + parts.join("") + "</ul>";
    if (total < data.full) {
      html += "<p class='le-note'>The bank does not yet have enough items for a full " + data.full +
        "-question exam in every domain, so this one is shorter.</p>";
    }
    var box = el(html + "<button class='le-start'>Start the exam</button>");
    box.querySelector(".le-start").disabled = total === 0;
    box.querySelector(".le-start").onclick = function () {
      state = {ids: draw(), answers: {}, flagged: {}, current: 0, deadline: Date.now() + data.minutes * 60000,
               done: false};
      save(); render();
    };
    root.appendChild(box);
  }

  function renderQuestion() {
    var id = state.ids[state.current], item = byId[id], n = state.ids.length;
    var kind = item.multiple ? "checkbox" : "radio";
    var html = "<div class='le-bar'><span class='le-count'>Question " + (state.current + 1) + " of " + n +
      "</span><span class='le-timer'>Time left " + clock(state.deadline - Date.now()) + "</span>" +
      "<button class='le-submit'>Submit the exam…</button></div>";
    if (confirming) {
      var open = state.ids.filter(function (i) { return picked(i).length === 0; }).length;
      var flags = state.ids.filter(function (i) { return state.flagged[i]; }).length;
      html += "<div class='le-confirm'>" + open + " unanswered (they count as wrong), " + flags + " flagged. " +
        "<button class='le-yes'>Submit now</button> <button class='le-no'>Back to the exam</button></div>";
    }
    html += "<div class='le-q'>" + item.q + "</div><div class='le-options'>";
    item.options.forEach(function (o, i) {
      html += "<label><input type='" + kind + "' name='" + root.id + "-opt' value='" + i + "'" +
        (picked(id).indexOf(i) >= 0 ? " checked" : "") + "> <span>" + o.text + "</span></label>";
    });
    html += "</div><label class='le-flag'><input type='checkbox'" + (state.flagged[id] ? " checked" : "") +
      "> Flag for review</label><div class='le-nav'><button class='le-prev'>← Previous</button> " +
      "<button class='le-next'>Next →</button></div><div class='le-grid'>";
    state.ids.forEach(function (i, k) {
      var cls = (picked(i).length ? " le-answered" : "") + (state.flagged[i] ? " le-flagged" : "") +
        (k === state.current ? " le-current" : "");
      html += "<button class='le-go" + cls + "' data-k='" + k + "' title='Question " + (k + 1) + "'>" + (k + 1) +
        "</button>";
    });
    var box = el(html + "</div><p class='le-note'>Shaded: answered. Orange border: flagged for review.</p>");
    box.querySelectorAll(".le-options input").forEach(function (input) {
      input.onchange = function () {
        state.answers[id] = Array.prototype.filter.call(box.querySelectorAll(".le-options input"),
          function (x) { return x.checked; }).map(function (x) { return Number(x.value); });
        save(); refreshGrid(box);
      };
    });
    box.querySelector(".le-flag input").onchange = function () {
      if (this.checked) { state.flagged[id] = true; } else { delete state.flagged[id]; }
      save(); refreshGrid(box);
    };
    box.querySelector(".le-prev").disabled = state.current === 0;
    box.querySelector(".le-next").disabled = state.current === n - 1;
    box.querySelector(".le-prev").onclick = function () { go(state.current - 1); };
    box.querySelector(".le-next").onclick = function () { go(state.current + 1); };
    box.querySelectorAll(".le-go").forEach(function (b) { b.onclick = function () { go(Number(b.dataset.k)); }; });
    box.querySelector(".le-submit").onclick = function () { confirming = true; render(); };
    if (confirming) {
      box.querySelector(".le-yes").onclick = submit;
      box.querySelector(".le-no").onclick = function () { confirming = false; render(); };
    }
    root.appendChild(box);
  }

  function refreshGrid(box) {
    box.querySelectorAll(".le-go").forEach(function (b) {
      var i = state.ids[Number(b.dataset.k)];
      b.classList.toggle("le-answered", picked(i).length > 0);
      b.classList.toggle("le-flagged", !!state.flagged[i]);
    });
  }
  function go(k) { state.current = k; confirming = false; save(); render(); }
  function submit() { state.done = true; confirming = false; save(); render(); }

  function renderResults() {
    var per = {}, right = 0;
    state.ids.forEach(function (id) {
      var d = byId[id].domain, ok = isRight(id);
      per[d] = per[d] || {right: 0, of: 0};
      per[d].of++; per[d].right += ok; right += ok;
    });
    var pct = function (a, b) { return b ? Math.round(100 * a / b) + " %" : "–"; };
    var html = "<p class='le-score'>Score: <b>" + right + " of " + state.ids.length + "</b> right (" +
      pct(right, state.ids.length) + ").</p><p class='le-note'>The real exam reports a scaled score from 100 to " +
      "1,000 (720 passes); a percentage here is not that score.</p><table class='le-domains'><thead><tr>" +
      "<th>Domain</th><th>Right</th><th>Questions</th><th>Share</th></tr></thead><tbody>";
    Object.keys(per).sort().forEach(function (d) {
      html += "<tr data-domain='" + d + "'><td>" + data.domains[d] + "</td><td>" + per[d].right + "</td><td>" +
        per[d].of + "</td><td>" + pct(per[d].right, per[d].of) + "</td></tr>";
    });
    html += "</tbody></table>";
    var missed = state.ids.filter(function (id) { return !isRight(id); });
    html += "<h3>" + (missed.length ? "What you missed (" + missed.length + ")" : "Nothing missed") + "</h3>";
    missed.forEach(function (id) {
      var item = byId[id], mine = picked(id);
      html += "<div class='le-missed' data-id='" + id + "'><div class='le-q'>" + item.q + "</div>" +
        "<p class='le-tag'>Domain " + item.domain + ", task " + item.task + (mine.length ? "" : " · not answered") +
        "</p><ul>";
      item.options.forEach(function (o, i) {
        html += "<li class='" + (o.correct ? "le-right" : "le-wrong") + "'>" + (o.correct ? "✓ " : "✗ ") +
          o.text + (mine.indexOf(i) >= 0 ? " <em>(your answer)</em>" : "") + "<br><small>" + o.why +
          "</small></li>";
      });
      html += "</ul><p class='le-source'>Source: AWS documentation, <i>" + item.source + "</i>. Learn it: " +
        chapterLink(item) + "</p></div>";
    });
    var box = el(html + "<button class='le-again'>Start a new exam</button>");
    box.querySelector(".le-again").onclick = function () {
      state = null;
      try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
      render();
    };
    root.appendChild(box);
  }

  if (state && !state.ids.every(function (id) { return byId[id]; })) state = null;  // bank changed under it
  render();
}
