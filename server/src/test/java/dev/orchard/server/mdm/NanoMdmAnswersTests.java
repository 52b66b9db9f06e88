package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.orchard.server.mdm.CommandDelivery.Result;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every answer form of NanoMDM's enqueue API, as the real server gives it, and what it means for each channel of the
 * request: the table the README's "NanoMDM answer → command state" shows. Bodies are the real server's texts.
 */
class NanoMdmAnswersTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            all queued and pushed                 | 200 | {"status":{"A":{"push_result":"1"},"B":{"push_result":"2"}},"command_uuid":"u"} | false | DELIVERED | DELIVERED | -
            no push cert (file): queued anyway    | 500 | {"command_uuid":"u","push_error":"retrieving push cert for topic \\"T\\": getting T.pem: key not found: T.pem"} | false | DELIVERED | DELIVERED | push cert
            no push cert (pgsql): queued anyway   | 500 | {"command_uuid":"u","push_error":"retrieving push cert for topic \\"T\\": sql: no rows in result set"} | false | DELIVERED | DELIVERED | push cert
            no push token yet: queued             | 207 | {"status":{"B":{"push_error":"push data missing for id"}},"command_uuid":"u"} | false | DELIVERED | DELIVERED | push data missing
            uuid exists (file), new request       | 500 | {"command_uuid":"u","command_error":"command already exists: u"} | false | NOT_DELIVERED | NOT_DELIVERED | already holds
            uuid exists (file), resend            | 500 | {"command_uuid":"u","command_error":"command already exists: u"} | true | DELIVERED | DELIVERED | -
            uuid exists (pgsql), new request      | 500 | {"command_error":"pq: duplicate key value violates unique constraint \\"commands_pkey\\""} | false | NOT_DELIVERED | NOT_DELIVERED | already holds
            uuid exists (pgsql), resend           | 500 | {"command_error":"pq: duplicate key value violates unique constraint \\"commands_pkey\\""} | true | DELIVERED | DELIVERED | -
            uuid exists (mysql), resend           | 500 | {"command_error":"Error 1062: Duplicate entry 'u' for key 'PRIMARY'"} | true | DELIVERED | DELIVERED | -
            unknown id (pgsql) fails the batch    | 500 | {"command_error":"pq: insert or update on table \\"enrollment_queue\\" violates foreign key constraint \\"enrollment_queue_id_fkey\\""} | false | SPLIT | SPLIT | no enrollment
            per-id enqueue error                  | 207 | {"status":{"B":{"command_error":"disk full"}}} | false | DELIVERED | NOT_DELIVERED | disk full
            wrong API key                         | 401 | Unauthorized | false | NOT_DELIVERED | NOT_DELIVERED | API key
            proxy error after NanoMDM             | 502 | <html>Bad Gateway</html> | false | UNKNOWN | UNKNOWN | 502
            not found (wrong URL form)            | 404 | 404 page not found | false | NOT_DELIVERED | NOT_DELIVERED | 404
            """)
    void answers(String name, int status, String body, boolean resend, Result a, Result b, String noteOfB) {
        var outcomes = NanoMdmAnswers.enqueued(status, body, List.of("A", "B"), resend, JSON);
        assertThat(outcomes.get("A").result()).as("A").isEqualTo(a);
        assertThat(outcomes.get("B").result()).as("B").isEqualTo(b);
        if (!"-".equals(noteOfB)) {
            assertThat(outcomes.get("B").note()).contains(noteOfB);
        } else {
            assertThat(outcomes.get("B").note()).isNull();
        }
    }

    @ParameterizedTest(name = "one id: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            foreign key, alone: refused with the reason | {"command_error":"pq: insert or update on table \\"enrollment_queue\\" violates foreign key constraint \\"enrollment_queue_id_fkey\\""} | no enrollment
            other storage error                         | {"command_error":"connection reset"} | connection reset
            """)
    void aWholeBatchRefusalOfOneIdIsThatIdsReason(String name, String body, String note) {
        var outcome = NanoMdmAnswers.enqueued(500, body, List.of("A"), false, JSON).get("A");
        assertThat(outcome.result()).isEqualTo(Result.NOT_DELIVERED);
        assertThat(outcome.note()).contains(note);
    }
}
