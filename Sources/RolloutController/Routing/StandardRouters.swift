import Kube

extension TrafficRouterRegistry {
    /// Every router Fledge ships, talking to the API through `client`.
    public static func standard(client: KubeClient, fieldManager: String) -> TrafficRouterRegistry {
        var registry = TrafficRouterRegistry()
        registry.register(GatewayAPIRouter.router(client: client, fieldManager: fieldManager), for: .gatewayAPI)
        registry.register(IstioRouter.router(client: client, fieldManager: fieldManager), for: .istio)
        registry.register(NginxRouter(client: client, fieldManager: fieldManager), for: .nginx)
        return registry
    }

    /// What the standard routers' requests need: read a route and patch its weights (Gateway API, Istio); for
    /// NGINX also apply (a PATCH, which creates) and delete Fledge's own canary Ingress; and the route watch.
    public static let standardAPIAccess: [APIAccess] = [
        APIAccess(.httpRoutes, ["get", "patch"]),
        APIAccess(.virtualServices, ["get", "patch"]),
        APIAccess(.ingresses, ["get", "patch", "delete"]),
    ] + RouteWatch.apiAccess
}
