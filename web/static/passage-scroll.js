// The text view of a passage: bring the marked passage to the middle of the window once the page has loaded (the
// #passage fragment alone puts it at the very top, without the lines that lead into it).
window.addEventListener("load", () => {
  const mark = document.getElementById("passage");
  if (mark && !document.getElementById("pdf-view")) requestAnimationFrame(() => mark.scrollIntoView({ block: "center" }));
});
