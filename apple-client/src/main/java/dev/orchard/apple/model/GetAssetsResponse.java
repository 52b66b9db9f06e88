package dev.orchard.apple.model;

import java.util.List;

/**
 * One page of assets. {@code unlimitedAssets} is filled only when asked for with {@code unlimited=true}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/getassetsresponse">Apple: GetAssetsResponse</a>
 */
public record GetAssetsResponse(
        List<ResponseAsset> assets,
        List<ResponseAsset> unlimitedAssets,
        Integer currentPageIndex,
        Integer nextPageIndex,
        Integer size,
        Integer totalPages,
        String versionId,
        MdmInfo mdmInfo,
        String tokenExpirationDate,
        String uId) implements PagedResponse<ResponseAsset> {

    public GetAssetsResponse {
        assets = assets == null ? List.of() : List.copyOf(assets);
        unlimitedAssets = unlimitedAssets == null ? List.of() : List.copyOf(unlimitedAssets);
    }

    /** Both lists: ordinary assets first, then unlimited ones. */
    @Override
    public List<ResponseAsset> items() {
        if (unlimitedAssets.isEmpty()) {
            return assets;
        }
        var all = new java.util.ArrayList<ResponseAsset>(assets.size() + unlimitedAssets.size());
        all.addAll(assets);
        all.addAll(unlimitedAssets);
        return all;
    }
}
