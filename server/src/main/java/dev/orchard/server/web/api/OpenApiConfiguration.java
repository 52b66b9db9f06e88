package dev.orchard.server.web.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/** The OpenAPI description served at {@code /v3/api-docs}: bearer API tokens, problem responses. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI orchardOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Orchard API").version("v1")
                        .description("Apple app license manager. Authenticate with 'Authorization: Bearer <API token>'. "
                                + "Errors are RFC 9457 problem documents whose 'type' is stable."))
                .components(new Components().addSecuritySchemes("apiToken",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("apiToken"));
    }
}
