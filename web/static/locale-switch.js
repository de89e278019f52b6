// The language switch returns the reader to the page they are on. The server writes that page into each switch link
// (?next=); when htmx then moves to another URL without reloading (an answer pushed into history, or history
// restored), the links are pointed at the new URL here.

function pointSwitchHere() {
  const here = window.location.pathname + window.location.search;
  document.querySelectorAll(".locale-switch a[href^='/locale/']").forEach((link) => {
    const url = new URL(link.href);
    url.searchParams.set("next", here);
    link.href = url.pathname + url.search;
  });
}

document.addEventListener("htmx:pushedIntoHistory", pointSwitchHere);
document.addEventListener("htmx:replacedInHistory", pointSwitchHere);
document.addEventListener("htmx:historyRestore", pointSwitchHere);
window.addEventListener("popstate", pointSwitchHere);
