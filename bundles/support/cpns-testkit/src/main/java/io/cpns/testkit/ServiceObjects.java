package io.cpns.testkit;

import java.lang.reflect.Proxy;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/** What SCR hands a component for a lazily obtained reference, around a plain object. */
public final class ServiceObjects {
    private ServiceObjects() {
    }

    public static <S> ComponentServiceObjects<S> of(S service) {
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(ServiceObjects.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> "ServiceReference[" + service + "]";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return new ComponentServiceObjects<>() {
            @Override
            public S getService() {
                return service;
            }

            @Override
            public void ungetService(S s) {
            }

            @SuppressWarnings("unchecked")
            @Override
            public ServiceReference<S> getServiceReference() {
                return (ServiceReference<S>) ref;
            }
        };
    }
}
