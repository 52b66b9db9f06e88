package dev.orchard.server.system;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clock everything reads time from (tests replace it), shared with db-scheduler so both agree on "now". */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({OrchardProperties.class, SecurityProperties.class, RetentionProperties.class})
@ConfigurationPropertiesScan("dev.orchard.server")
class SystemConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The API's JSON takes no scalar of another type for a text field (a number where a name goes is a 400, not the
     * name "12345"); with {@code spring.jackson.*} in application.yml unknown fields and trailing tokens are refused too.
     */
    @Bean
    org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer strictScalars() {
        return builder -> builder.withCoercionConfig(tools.jackson.databind.type.LogicalType.Textual, c -> c
                .setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Integer, tools.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Float, tools.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Boolean, tools.jackson.databind.cfg.CoercionAction.Fail));
    }

    /** The body limits run before everything else, authentication included (see {@link BodyLimitFilter}). */
    @Bean
    BodyLimitFilter bodyLimitFilter(LimitsProperties limits) {
        return new BodyLimitFilter(limits);
    }

    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<BodyLimitFilter> bodyLimitRegistration(BodyLimitFilter filter) {
        var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(filter);
        registration.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }

    @Bean
    com.github.kagkarlsson.scheduler.Clock schedulerClock(Clock clock) {
        return clock::instant;
    }
}
