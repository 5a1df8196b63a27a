// "Open on your JupyterHub": the JupyterHub button of a lab page leads here with the nbgitpuller path of that lab
// after the '#'. The hub's address is asked once (or given by an instructor's link, ?hub=...) and remembered in this
// browser; from then on the button goes straight to the hub, which pulls the course and opens the notebook.
(function () {
  "use strict";
  var KEY = "aws-dva-hands-on.jupyterhub";
  var PULL = "/hub/user-redirect/git-pull?";
  var form = document.getElementById("hub-form");
  var input = document.getElementById("hub-url");
  var status = document.getElementById("hub-status");
  var target = window.location.hash.slice(1);
  var query = new URLSearchParams(window.location.search);
  var lab = target.indexOf(PULL) === 0 ? new URLSearchParams(target.slice(PULL.length)).get("urlpath") : null;

  function hubAddress(text) {
    var url = (text || "").trim().replace(/\/+$/, "").replace(/\/hub$/, "");
    return /^https?:\/\/[^\s/]+/.test(url) ? url : null;
  }

  function remember(hub) {
    try { window.localStorage.setItem(KEY, hub); } catch (e) { /* private mode: asked again next time */ }
  }

  function remembered() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  var hub = hubAddress(query.get("hub"));
  if (hub) { remember(hub); } else { hub = hubAddress(remembered()); }
  if (hub) { input.value = hub; }
  status.textContent = lab
    ? "Lab to open: " + lab.replace(/^lab\/tree\//, "")
    : "No lab chosen: use the JupyterHub button at the top of a lab page. Here you can set or change your hub.";

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = hubAddress(input.value);
    if (!chosen) {
      status.textContent = "Enter your hub's full address, starting with https:// (for example https://hub.example.edu).";
      return;
    }
    remember(chosen);
    if (lab) { window.location.assign(chosen + target); } else { status.textContent = "Saved: " + chosen; }
  });

  if (hub && lab) { window.location.replace(hub + target); }
})();
