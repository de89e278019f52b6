// The text view of a passage: bring the marked passage to the middle of the window (the #passage fragment alone
// puts it at the very top, without the lines that lead into it).
const mark = document.getElementById("passage");
if (mark && !document.getElementById("pdf-view")) mark.scrollIntoView({ block: "center" });
