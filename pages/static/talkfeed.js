// Copy buttons: shown only when the browser can copy; the URL stays
// readable and selectable in its field without JavaScript.
document.querySelectorAll(".copy-button").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
  });
});
