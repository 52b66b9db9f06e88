package dev.orchard.apple.model;

import java.util.List;

/**
 * The targets an error applies to.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/responseerrorinfo">Apple: ResponseErrorInfo</a>
 */
public record ErrorInfo(List<Asset> assets, List<String> clientUserIds, List<String> serialNumbers) {

    public ErrorInfo {
        assets = assets == null ? List.of() : List.copyOf(assets);
        clientUserIds = clientUserIds == null ? List.of() : List.copyOf(clientUserIds);
        serialNumbers = serialNumbers == null ? List.of() : List.copyOf(serialNumbers);
    }
}
