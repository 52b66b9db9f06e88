package dev.orchard.server.web.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import org.springdoc.core.customizers.OpenApiCustomizer;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
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

    /**
     * Every operation documents the problems it can answer, each an RFC 9457 document ({@code Problem}) whose
     * {@code type} ends in one of the slugs listed: bad input, authentication and role for all; not found where the path
     * names something; conflicts, body size and Apple's unavailability where something changes.
     */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            Schema<?> problem = new ObjectSchema().description("RFC 9457 problem details")
                    .addProperty("type", new StringSchema().example("https://orchard.dev/problems/invalid-input")
                            .description("stable: https://orchard.dev/problems/<slug>"))
                    .addProperty("title", new StringSchema().example("Invalid input"))
                    .addProperty("status", new IntegerSchema().example(400))
                    .addProperty("detail", new StringSchema().example("record 3: serialNumber is required"))
                    .addProperty("instance", new StringSchema().example("/api/v1/devices"));
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas("Problem", problem);
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                boolean changes = method != PathItem.HttpMethod.GET;
                var responses = op.getResponses();
                add(responses, "400", "Bad input; nothing changed", "invalid-input");
                add(responses, "401", "No or an unknown API token", "unauthenticated");
                add(responses, "403", "The token's role does not allow this", "forbidden");
                if (path.contains("{")) {
                    add(responses, "404", "Nothing of that id", "not-found");
                }
                if (changes) {
                    add(responses, "409", "In conflict with the current state (the detail says what)", "conflict, "
                            + "account-unavailable, account-has-licenses, location-already-registered, claimed-by-other-mdm, "
                            + "different-location");
                    add(responses, "413", "The body is larger than allowed", "payload-too-large");
                    add(responses, "503", "Apple asked Orchard to wait (Retry-After) or cannot be reached",
                            "account-blocked, apple-unavailable");
                }
                add(responses, "500", "An unexpected error (logged with its id; nothing is half done)", "internal-error");
            }));
        };
    }

    private static void add(io.swagger.v3.oas.models.responses.ApiResponses responses, String status, String description,
                            String slugs) {
        if (responses.containsKey(status)) {
            return;
        }
        responses.addApiResponse(status, new ApiResponse().description(description + " (problem type: " + slugs + ")")
                .content(new Content().addMediaType("application/problem+json",
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
    }
}
