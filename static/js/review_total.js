// The reviewer's running total on the review page (templates/review/review_edit.html), added up again
// as they choose anchors and type adjustments. It reads what the page writes: the points of each radio
// button (data-points), each adjustment's rule points and maximum (data-rule-points, data-most), the
// rule's sum and the rubric's maximum on the total itself (data-rule, data-most). It adds up as
// review/review_page.py does, in hundredths of a point; without it the total the server wrote stays.
// Its words come from the page (data-words, translated by templates/review/review_total.html, with
// {total}, {most}, {rule}, {judged} and {adjustments} to fill in) and its figures follow the page's
// language (<html lang>): "63.5" in English, "63,5" in French.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  var totals = document.querySelectorAll("[data-review-total]");
  if (!form || totals.length === 0) {
    return;
  }
  // The numbers the form accepts for an adjustment (review_page.TYPED_POINTS); anything else is left out.
  var TYPED = /^\s*(\d{1,6}(\.\d{1,2})?)\s*$/;
  var WORDS =
    totals[0].getAttribute("data-words") ||
    "Your total: {total} of {most} (rule {rule} + judged {judged}, adjustments {adjustments})";
  // The decimal separator of the page's language ("," in French); figures are written without grouping,
  // as the server writes them.
  var DECIMAL = ".";
  try {
    DECIMAL = (1.5).toLocaleString(document.documentElement.lang || "en").charAt(1);
  } catch (unknownLanguage) {
    // a language the browser does not know: the plain point
  }

  function hundredths(text) {
    // a figure the page wrote in the language's way (2,5) reads as well as a plain one (2.5)
    return Math.round(parseFloat(String(text).replace(",", ".")) * 100);
  }

  function figure(n) {
    var text = (Math.abs(n) / 100).toFixed(2).replace(/0+$/, "").replace(/\.$/, "").replace(".", DECIMAL);
    return (n < 0 && text !== "0" ? "\u2212" : "") + text;
  }

  function fill(words, figures) {
    return words.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(figures, name) ? figures[name] : whole;
    });
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
    var words = fill(WORDS, {
      total: figure(rule + judged + adjustments),
      most: figure(hundredths(totals[0].getAttribute("data-most"))),
      rule: figure(rule),
      judged: figure(judged),
      adjustments: signed(adjustments),
    });
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
