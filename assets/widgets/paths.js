// The widget modules (@jupyter-widgets/controls, …/html-manager/dist/…) find their icon fonts next to
// their module path; point those paths at the copies served with the book, so no page requests anything
// from outside the site.
(function () {
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets": here, "@jupyter-widgets/html-manager/dist": here } });
})();
