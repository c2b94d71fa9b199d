/* Swagger UI of the action API (npm swagger-ui-dist, pinned; served from assets/vendor).
 *
 *   <div id="satudata-swagger" data-module="satudata-openapi" data-module-url="/api/openapi.json">
 *
 * No validator badge (validatorUrl: null: Swagger's validator is another host), no
 * external links fetched; "Try it out" calls the portal's own action API with the
 * token given under "Authorize" (and no cookie). */
this.ckan.module('satudata-openapi', function ($) {
  'use strict';

  return {
    options: { url: null },

    initialize: function () {
      if (typeof window.SwaggerUIBundle === 'undefined' || !this.options.url) { return; }
      this.el.empty();
      window.SwaggerUIBundle({
        url: this.options.url,
        domNode: this.el[0],
        validatorUrl: null,
        deepLinking: true,
        docExpansion: 'list',
        defaultModelsExpandDepth: -1,
        displayOperationId: true,
        filter: true,
        tryItOutEnabled: false,
        persistAuthorization: false,
        queryConfigEnabled: false,
        withCredentials: false,
        // "Try it out" authenticates with the token given under Authorize only: a
        // logged-in browser's session cookie would take precedence in CKAN (and a POST
        // with a cookie needs a CSRF token), so requests go without cookies.
        requestInterceptor: function (request) {
          request.credentials = 'omit';
          return request;
        },
        presets: [window.SwaggerUIBundle.presets.apis],
        plugins: [window.SwaggerUIBundle.plugins.DownloadUrl],
        layout: 'BaseLayout'
      });
    }
  };
});
