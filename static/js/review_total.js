// The reviewer's running total on the review page (templates/review/review_edit.html), added up again
// as they choose anchors and type adjustments. It reads what the page writes: the points of each radio
// button (data-points), each adjustment's rule points and maximum (data-rule-points, data-most), the
// rule's sum and the rubric's maximum on the total itself (data-rule, data-most). It adds up as
// review/review_page.py does, in hundredths of a point; without it the total the server wrote stays.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  var totals = document.querySelectorAll("[data-review-total]");
  if (!form || totals.length === 0) {
    return;
  }
  // The numbers the form accepts for an adjustment (review_page.TYPED_POINTS); anything else is left out.
  var TYPED = /^\s*(\d{1,6}(\.\d{1,2})?)\s*$/;

  function hundredths(text) {
    return Math.round(parseFloat(text) * 100);
  }

  function figure(n) {
    var text = (Math.abs(n) / 100).toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
    return (n < 0 && text !== "0" ? "\u2212" : "") + text;
  }

  function signed(n) {
    return n > 0 ? "+" + figure(n) : figure(n);
  }

  function update() {
    var judged = 0;
    var adjustments = 0;
    form.querySelectorAll("input[type=radio][data-points]:checked").forEach(function (radio) {
      judged += hundredths(radio.getAttribute("data-points"));
    });
    form.querySelectorAll("input[data-rule-points]").forEach(function (input) {
      var rule = input.getAttribute("data-rule-points");
      var typed = TYPED.exec(input.value);
      if (rule === "" || !typed) {
        return;
      }
      var points = hundredths(typed[1]);
      if (points <= hundredths(input.getAttribute("data-most")) && points !== hundredths(rule)) {
        adjustments += points - hundredths(rule);
      }
    });
    var rule = hundredths(totals[0].getAttribute("data-rule"));
    var words =
      "Your total: " + figure(rule + judged + adjustments) + " of " + figure(hundredths(totals[0].getAttribute("data-most"))) +
      " (rule " + figure(rule) + " + judged " + figure(judged) + ", adjustments " + signed(adjustments) + ")";
    totals.forEach(function (total) {
      if (total.textContent !== words) {
        total.textContent = words;
      }
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update(); // a page the browser restored keeps what was chosen before: its total follows
})();
