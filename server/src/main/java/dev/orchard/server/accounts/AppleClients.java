package dev.orchard.server.accounts;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.orchard.apple.AppMetadataClient;
import dev.orchard.apple.AppsAndBooksClient;

/** The Apple clients, built once from {@link AppleProperties}; they are stateless and shared by every account. */
@Configuration(proxyBeanMethods = false)
class AppleClients {

    @Bean
    AppsAndBooksClient appsAndBooksClient(AppleProperties apple, Clock clock) {
        return AppsAndBooksClient.builder().baseUri(apple.baseUrl()).requestTimeout(apple.requestTimeout())
                .clock(clock).build();
    }

    @Bean
    AppMetadataClient appMetadataClient(AppleProperties apple, Clock clock) {
        return AppMetadataClient.builder().contentLookupUri(apple.contentLookupUrl())
                .storeLookupUri(apple.storeLookupUrl()).requestTimeout(apple.requestTimeout()).clock(clock).build();
    }
}
