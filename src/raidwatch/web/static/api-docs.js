// Starts Swagger UI on the API description (served by the app, no CDN).
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  SwaggerUIBundle({ url: element.getAttribute("data-spec"), dom_id: "#swagger-ui", deepLinking: true });
})();
